"""The translation catalog: extract message ids from code and templates, merge them into the
English .po, check it. `flask translations update` / `flask translations check`; the .mo is
compiled by `make setup` (pybabel compile) and is not committed."""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from app.config import ROOT

KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "N_": None}
TRANSLATIONS = ROOT / "app" / "translations"
LOCALES = ("en",)


def po_path(locale: str = "en") -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every message id used in app/ (Python and templates), as babel.cfg maps them."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project="haochaping", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(locale: str = "en") -> Catalog:
    with open(po_path(locale), "rb") as fh:
        return read_po(fh, locale=locale)


def problems(catalog: Catalog, template: Catalog) -> list[str]:
    """What is wrong with a translated catalog: ids missing or obsolete, empty or fuzzy entries."""
    have = {m.id for m in catalog if m.id}
    want = {m.id for m in template if m.id}
    out = [f"missing: {_show(i)}" for i in sorted(want - have, key=str)]
    out += [f"obsolete: {_show(i)}" for i in sorted(have - want, key=str)]
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if not all(strings):
            out.append(f"untranslated: {_show(m.id)}")
        if m.fuzzy:
            out.append(f"fuzzy: {_show(m.id)}")
    return out


def _show(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


translations_cli = AppGroup("translations", help="The English catalog (界面翻译).")


@translations_cli.command("update")
def update() -> None:
    """Merge new message ids into each .po (new ones empty, changed ones fuzzy)."""
    template = extract()
    for locale in LOCALES:
        catalog = read(locale)
        catalog.update(template, no_fuzzy_matching=False)
        with open(po_path(locale), "wb") as fh:
            write_po(fh, catalog, width=100, ignore_obsolete=True, include_lineno=False,
                     sort_by_file=True)
        todo = problems(catalog, template)
        click.echo(f"{po_path(locale).relative_to(ROOT)}: {len(todo)} to translate")


@translations_cli.command("check")
def check() -> None:
    """Exit 1 when a .po misses ids, has obsolete, empty or fuzzy entries."""
    template = extract()
    bad = [f"{locale}: {p}" for locale in LOCALES for p in problems(read(locale), template)]
    for line in bad:
        click.echo(line)
    if bad:
        raise click.ClickException(f"{len(bad)} problems in the translations")
    click.echo("translations complete")


@translations_cli.command("compile")
def compile_mo() -> None:
    """Compile each .po into its .mo (as `make setup` does with pybabel compile)."""
    for locale in LOCALES:
        with open(po_path(locale).with_suffix(".mo"), "wb") as fh:
            write_mo(fh, read(locale))
        click.echo(f"compiled {locale}")
