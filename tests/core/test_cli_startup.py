"""CLI start-up: the project's commands run only the model checks, not the full set that imports the URLs
and the whole API; `import_roll` then starts like Django's own `shell`."""

import importlib
import pkgutil
import subprocess
import sys

from django.apps import apps
from django.conf import settings

from core.cli import DATA_COMMAND_CHECKS

PROJECT_APPS = ("core", "personnel", "assets", "procurement", "distribution", "vehicles", "reports")


def _commands():
    for label in PROJECT_APPS:
        package = f"{apps.get_app_config(label).name}.management.commands"
        try:
            module = importlib.import_module(package)
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(module.__path__):
            yield f"{package}.{info.name}", importlib.import_module(f"{package}.{info.name}").Command


def test_every_project_command_skips_the_checks_it_does_not_need():
    loud = [name for name, cls in _commands() if cls.requires_system_checks not in ([], DATA_COMMAND_CHECKS)]
    assert loud == []


def test_import_roll_does_not_load_the_api(tmp_path):
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
        "from django.core.management import execute_from_command_line; "
        f"sys.argv=['manage.py', 'import_roll', {str(tmp_path / 'none.xlsx')!r}]; "
        "import atexit; atexit.register(lambda: print('API LOADED' if 'config.api' in sys.modules else 'NO API')); "
        "execute_from_command_line(sys.argv)"
    )
    env_var = {"QM_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    import os

    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env_var},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    # past the checks into handle(), which finds an empty database (a fresh QM_VAR_DIR), without the API
    assert "auth_user" in out.stderr, out.stderr
    assert "NO API" in out.stdout, out.stdout + out.stderr
