"""``jiuzhu link …``: a thin wrapper of ``jiuzhu.linkage.cli`` (see docs/linkage.md)."""

import argparse

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.linkage import LinkageError, cli


class Command(BaseCommand):
    help = "Pairs of records across two person files that are the same person (record linkage)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        cli.add_link_arguments(parser)
        parser.epilog = cli.EPILOG

    def handle(self, *args, **options):
        try:
            cli.run_link(argparse.Namespace(**options))
        except LinkageError as exc:
            raise CommandError(str(exc), returncode=2) from None
