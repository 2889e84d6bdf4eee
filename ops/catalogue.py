"""The web portal's gettext catalogue, without Babel or Node.

    python -m ops.catalogue extract   # templates + portal code -> portal.pot, merged into each .po
    python -m ops.catalogue compile   # each .po -> .mo (GNU format, read by stdlib gettext)
    python -m ops.catalogue check     # exit 1 if a message is untranslated or a .mo is stale
    python -m ops.catalogue translate id FILE...
                                      # msgid -> msgstr from JSON objects or other .po files
                                      # (e.g. both sides of a merge) into the language's .po

Message ids are English and come from the Jinja2 templates (``_()`` / ``gettext``, found
with Jinja2's own extractor) and from ``_``, ``N_`` and ``gettext`` calls in the portal's
Python code. ``make catalogue`` runs extract and compile; the compiled .mo files are
committed so the Lambda package needs no build step.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "chalicelib" / "portal"
LOCALE = PORTAL / "locale"
POT = LOCALE / "portal.pot"
LANGUAGES = ("id",)  # English is the message ids themselves
_CALLS = {"_", "N_", "gettext"}


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "portal.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


# ---------------------------------------------------------------- extraction


def _from_templates() -> list[tuple[str, str]]:
    import jinja2

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    found = []
    for path in sorted((PORTAL / "templates").glob("*.html")):
        source = path.read_text()
        for line, _func, message in env.extract_translations(source):
            if isinstance(message, tuple):  # _("... %(x)s", x=...): (message, None)
                message = message[0]
            if isinstance(message, str):
                found.append((message, f"templates/{path.name}:{line}"))
    return found


def _from_code() -> list[tuple[str, str]]:
    found = []
    for path in sorted(PORTAL.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[0]
            if name in _CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, f"{path.name}:{node.lineno}"))
    return found


def extract() -> dict[str, list[str]]:
    """Every message id, in order of first appearance, with where it appears."""
    messages: dict[str, list[str]] = {}
    for message, where in _from_code() + _from_templates():
        messages.setdefault(message, []).append(where)
    return messages


# ---------------------------------------------------------------- .po files


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _unquote(literal: str) -> str:
    return ast.literal_eval(literal)


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr (the header under ""); enough of the format for our catalogue."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    current = None

    def flush():
        if msgid is not None:
            entries[msgid] = msgstr or ""

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr, current = _unquote(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, current = _unquote(line[7:]), "str"
        elif line.startswith('"'):
            if current == "id":
                msgid += _unquote(line)
            else:
                msgstr += _unquote(line)
    flush()
    return entries


def write_po(path: Path, messages: dict[str, list[str]], translated: dict[str, str], header: str):
    lines = ['msgid ""', f"msgstr {_quote(header)}", ""]
    for message, places in messages.items():
        lines += [f"#: {' '.join(places[:3])}", f"msgid {_quote(message)}"]
        lines += [f"msgstr {_quote(translated.get(message, ''))}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def header(lang: str) -> str:
    return (
        "Project-Id-Version: satupintu-portal\n"
        f"Language: {lang}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "Plural-Forms: nplurals=1; plural=0;\n"
    )


# ---------------------------------------------------------------- .mo files


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo format (what gettext.GNUTranslations reads): untranslated ids left out."""
    pairs = sorted((k, v) for k, v in entries.items() if v or k == "")
    ids = [k.encode() for k, _ in pairs]
    strs = [v.encode() for _, v in pairs]
    count = len(pairs)
    ids_table = 7 * 4
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets, data = [], b""
    for blob in ids + strs:
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, data_start)
    for length, offset in offsets:
        out += struct.pack("<2I", length, offset)
    return out + data


# ---------------------------------------------------------------- commands


def cmd_extract() -> None:
    messages = extract()
    write_po(POT, messages, {}, header("en"))
    for lang in LANGUAGES:
        path = po_path(lang)
        known = read_po(path) if path.exists() else {}
        write_po(path, messages, known, known.get("") or header(lang))
    print(f"{len(messages)} messages -> {POT.relative_to(ROOT)}")


def cmd_compile() -> None:
    for lang in LANGUAGES:
        mo_path(lang).write_bytes(compile_mo(read_po(po_path(lang))))
        print(f"compiled {mo_path(lang).relative_to(ROOT)}")


def cmd_translate(lang: str, sources: list[str]) -> None:
    """Translations from JSON objects ({msgid: msgstr}) or .po files, later ones winning,
    into ``lang``'s .po; then extract (messages no longer used drop out) and compile."""
    import json

    path = po_path(lang)
    known = read_po(path) if path.exists() else {}
    for source in sources:
        src = Path(source)
        more = json.loads(src.read_text()) if src.suffix == ".json" else read_po(src)
        known.update({k: v for k, v in more.items() if k and v})
    write_po(path, extract(), known, known.get("") or header(lang))
    cmd_extract()
    cmd_compile()


def problems() -> list[str]:
    found = []
    messages = extract()
    for lang in LANGUAGES:
        translated = read_po(po_path(lang))
        missing = [m for m in messages if not translated.get(m)]
        found += [f"{lang}: not translated: {m!r}" for m in missing]
        if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compile_mo(translated):
            found.append(f"{lang}: {mo_path(lang).name} is stale: python -m ops.catalogue compile")
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        cmd_extract()
    elif command == "compile":
        cmd_compile()
    elif command == "translate" and len(argv) >= 3 and argv[1] in LANGUAGES:
        cmd_translate(argv[1], argv[2:])
    elif command == "check":
        found = problems()
        print("\n".join(found) or "catalogue complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
