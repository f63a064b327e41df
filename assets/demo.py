from .catalog import load_catalog


def seed(*, seed: int, stdout) -> None:
    n = load_catalog()
    stdout.write(f"catalog: {n} item types added")
