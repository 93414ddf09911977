"""Fill the database with a national-scale synthetic data set for benchmarks."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alert4you.national_data import USERNAME_PREFIX, NationalData, Scale
from casework.models import Child


class Command(BaseCommand):
    help = (
        "Generate about 80 municipalities, 1,000 locations, 50,000 children and their "
        "cases, concerns, visits, coaching requests, consents and staff (synthetic; fixed "
        "seed) for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Size relative to the national default."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--allow-existing",
            action="store_true",
            help="Add to a database that already holds children (off: refuse).",
        )

    def handle(self, *args, scale, seed, allow_existing, **options):
        if getattr(settings, "IS_PRODUCTION", False):
            raise CommandError("Refusing to generate synthetic data with production settings.")
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if not allow_existing and Child.objects.exists():
            raise CommandError(
                "The database already holds children; use an empty database "
                "or pass --allow-existing."
            )
        from tqdm import tqdm  # a development dependency (requirements-dev.txt)

        bars: dict[str, tqdm] = {}

        def progress(step, done, total):
            bar = bars.get(step)
            if bar is None or bar.disable is True or bar.total != total:
                if bar is not None:
                    bar.close()
                bar = bars[step] = tqdm(total=total, desc=f"{step:>26}", unit=" rows")
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        started = time.monotonic()
        counts = NationalData(Scale().times(scale), seed=seed, progress=progress).run()
        elapsed = time.monotonic() - started
        for step, count in counts.items():
            self.stdout.write(f"{step:>26}: {count:>9,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated in {elapsed:.0f} s. Staff log in as {USERNAME_PREFIX}00001 … "
                f"with the password in alert4you/national_data/base.py."
            )
        )
