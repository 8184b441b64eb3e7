from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import DefaultPasswordRefusedError, users_create_from_environment


class Command(BaseCommand):
    help = (
        "Create or update the admin and the demo users alice and bob from environment variables "
        "(ADMIN_USERNAME, ADMIN_PASSWORD, ADMIN_EMAIL, DEMO_ALICE_PASSWORD, DEMO_BOB_PASSWORD). "
        "Development defaults are used only with DEBUG on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-demo", action="store_true", help="Create the admin only, not alice and bob.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = users_create_from_environment(
                allow_defaults=settings.DEBUG, include_demo=not options["skip_demo"]
            )
        except DefaultPasswordRefusedError as exc:
            raise CommandError(str(exc)) from exc
        for user, created in results:
            role = "staff" if user.is_staff else "user"
            self.stdout.write(f"{'created' if created else 'updated'} {role} {user.username}")
