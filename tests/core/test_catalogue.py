"""The English catalogue: every {% translate %} string of every page and printed form has an English text, and
the compiled catalogues (.mo) match their sources (.po)."""

import pathlib
import re
import shutil
import subprocess

from django.conf import settings
from django.utils import translation

ROOT = pathlib.Path(settings.BASE_DIR)
TAG = re.compile(r"""\{%\s*translate\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?\s*%\}""")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _templates():
    return [p for p in ROOT.rglob("*.html") if ".venv" not in p.parts and "tests" not in p.parts]


def test_every_template_string_has_english():
    missing, seen = [], 0
    with translation.override("en"):
        for path in _templates():
            for m in TAG.finditer(path.read_text()):
                zh, ctx = m.group(2), m.group(4)
                seen += 1
                msgid = zh.replace("%", "%%")
                en = translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
                if CJK.search(en):
                    missing.append(f"{path.relative_to(ROOT)}: {zh!r}")
    assert seen > 500, "the pages' strings are translated with {% translate %}"
    assert missing == [], missing[:20]


def test_chinese_is_the_source():
    with translation.override("zh-hans"):
        assert translation.gettext("配发进度") == "配发进度"
    with translation.override("en"):
        assert translation.gettext("配发进度") == "Distribution progress"


def test_compiled_catalogues_match_their_sources(tmp_path):
    assert shutil.which("msgfmt"), "gettext's msgfmt compiles the catalogues (Debian package gettext)"
    pos = sorted(ROOT.glob("*/locale/en/LC_MESSAGES/django.po"))
    assert len(pos) >= 7
    for po in pos:
        out = tmp_path / f"{po.parts[-5]}.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(po)], check=True)
        assert out.read_bytes() == po.with_suffix(".mo").read_bytes(), f"{po}: run make messages"


def test_every_template_compiles():
    from django.template.loader import get_template

    names = []
    for path in _templates():
        parts = path.relative_to(ROOT).parts
        if "templates" in parts:
            names.append("/".join(parts[parts.index("templates") + 1 :]))
    assert len(names) > 60
    for name in names:
        get_template(name)  # a tag that does not parse raises TemplateSyntaxError naming the template


def test_no_chinese_text_means_two_things_across_apps():
    """Django merges the apps' catalogues into one (the first app in INSTALLED_APPS wins): a Chinese text
    with two English meanings in two apps must carry a context, or one page shows the other's word."""
    from django.apps import apps

    msg = re.compile(
        r'(?:msgctxt "((?:[^"\\]|\\.)*)"\n)?msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"'
    )
    seen, clashes = {}, []
    for config in apps.get_app_configs():
        po = pathlib.Path(config.path) / "locale/en/LC_MESSAGES/django.po"
        if not po.exists() or ROOT not in po.parents:
            continue
        for ctx, mid, mstr in msg.findall(po.read_text()):
            if not mid:
                continue
            first = seen.setdefault((ctx, mid), (config.label, mstr))
            if first[1].lower() != mstr.lower():
                clashes.append(f"{mid!r} ({ctx or 'no context'}): {first} / {(config.label, mstr)}")
    assert len(seen) > 1000
    assert clashes == [], clashes[:20]


def test_choice_labels_in_english_are_capitalised_alike():
    """A choice label stands alone (a select, a status badge, a column cell), so in English every one starts
    with a capital: "Damaged" beside "Excess", never "damaged"; in Chinese they stay as written."""
    import importlib
    import inspect

    from django.db import models

    lower, seen = [], 0
    with translation.override("en"):
        for app in ("core", "personnel", "assets", "procurement", "distribution", "vehicles", "reports"):
            for name in ("choices", "models", "equipment_models"):
                try:
                    module = importlib.import_module(f"{app}.{name}")
                except ModuleNotFoundError:
                    continue
                for cls in vars(module).values():
                    if (
                        inspect.isclass(cls)
                        and issubclass(cls, models.Choices)
                        and cls.__module__ == module.__name__
                    ):
                        for value, label in cls.choices:
                            seen += 1
                            if str(label)[:1].islower():
                                lower.append(f"{cls.__name__}.{value}: {label}")
    assert seen > 100
    assert lower == []
    from distribution.choices import ShortReason

    assert str(ShortReason.DAMAGED.label) == "损坏"
