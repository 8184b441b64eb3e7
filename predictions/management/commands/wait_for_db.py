from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from predictions.deployment import DatabaseNotReadyError, database_wait


class Command(BaseCommand):
    help = "Wait until the database answers (and, with --migrated, has every migration); fail after --timeout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=60.0, help="Seconds before giving up (default 60).")
        parser.add_argument("--migrated", action="store_true", help="Also wait until no migration is pending.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            database_wait(options["timeout"], require_migrated=options["migrated"], report=self.stderr.write)
        except DatabaseNotReadyError as exc:
            raise CommandError(f"{exc}. Check DATABASE_URL and that the database server is running.") from exc
        self.stdout.write("database ready")
