from typing import Any

from django.core.management.base import BaseCommand

from predictions.deployment import migrate_with_lock


class Command(BaseCommand):
    help = "Apply pending migrations while holding a lock, so replicas starting together migrate exactly once."

    def handle(self, *args: Any, **options: Any) -> None:
        applied = migrate_with_lock(verbosity=options["verbosity"])
        if applied:
            self.stdout.write(f"migrations applied by this instance: {len(applied)} ({', '.join(applied)})")
        else:
            self.stdout.write("migrations: nothing to apply (already up to date)")
