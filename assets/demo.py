from .catalog import load_catalog


def seed(*, seed: int, stdout) -> None:
    n = load_catalog()
    stdout.write(f"catalog: {n} item types added")
    from .equipment_demo import seed as seed_equipment

    seed_equipment(seed=seed, stdout=stdout)
