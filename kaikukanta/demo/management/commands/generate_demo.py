from django.core.management.base import BaseCommand, CommandError

from kaikukanta.demo.services import DemoRefused, generate_demo

from ._demo_output import describe


class Command(BaseCommand):
    help = ("Fill an empty database with a realistic demo network: areas, organisations, offerings, "
            "card stock, cards and visits (deterministic for a seed), and one login per role, printed at the "
            "end.")

    def add_arguments(self, parser):
        parser.add_argument("--cards", type=int, default=2000, help="cards to issue (default 2000)")
        parser.add_argument("--visits", type=int, default=20000, help="visits to record (default 20000)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--areas", type=int, default=6, help="areas, one per welfare area (default 6)")

    def handle(self, *args, cards, visits, seed, areas, **options):
        if cards < 0 or visits < 0 or areas < 1:
            raise CommandError("--cards and --visits must be 0 or more, --areas 1 or more.")
        try:
            result = generate_demo(cards=cards, visits=visits, seed=seed, areas=areas,
                                   progress_stream=self.stderr)
        except DemoRefused as refused:
            raise CommandError(str(refused)) from None
        except KeyboardInterrupt:
            raise CommandError("interrupted, nothing written") from None
        for line in describe(result):
            self.stdout.write(line)
