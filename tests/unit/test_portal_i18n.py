"""The portal's catalogue and its locale-aware formatting."""

import gettext
import io
from datetime import UTC, date, datetime

from chalicelib.portal import i18n
from ops import catalogue


def test_every_message_is_translated_and_the_committed_mo_is_current():
    assert catalogue.problems() == []


def test_the_catalogue_finds_messages_in_templates_and_code():
    messages = catalogue.extract()
    assert "Make a report" in messages  # templates/home.html
    assert "Report %(id)s" in messages  # a template message with a placeholder
    assert "Awaiting follow-up" in messages  # labels.py, N_()
    assert "Write at least %(n)s characters." in messages  # pages.py, _()
    assert "December" in messages  # i18n.py


def test_a_compiled_catalogue_reads_back_through_stdlib_gettext():
    entries = {"": catalogue.header("id"), "Title": "Judul", "Untranslated": "", "Ünï": "Ü"}
    translations = gettext.GNUTranslations(io.BytesIO(catalogue.compile_mo(entries)))
    assert translations.gettext("Title") == "Judul"
    assert translations.gettext("Untranslated") == "Untranslated"
    assert translations.gettext("Ünï") == "Ü"


def test_po_files_round_trip_quotes_and_newlines(tmp_path):
    path = tmp_path / "x.po"
    messages = {'Say "hi"\nthen go': ["x.py:1"]}
    catalogue.write_po(path, messages, {'Say "hi"\nthen go': 'Ucapkan "hai"\nlalu pergi'}, "H: 1\n")
    assert catalogue.read_po(path) == {
        "": "H: 1\n",
        'Say "hi"\nthen go': 'Ucapkan "hai"\nlalu pergi',
    }


def test_bahasa_is_the_default_and_english_the_message_ids():
    assert i18n.DEFAULT == "id"
    assert i18n.gettext_for("id")("Make a report") == "Buat laporan"
    assert i18n.gettext_for("en")("Make a report") == "Make a report"


def test_times_are_shown_in_jakarta_in_the_readers_words():
    moment = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # 06:30 the next day in Jakarta
    assert i18n.format_datetime(moment, "id") == "30 November 2026, 06.30 WIB"
    assert i18n.format_datetime(moment, "en") == "30 November 2026, 06:30 WIB"
    assert i18n.format_date(date(2026, 8, 17), "id") == "17 Agustus 2026"
    assert i18n.format_date(date(2026, 8, 17), "en") == "17 August 2026"


def test_numbers_use_the_readers_separators():
    assert i18n.format_number(1234567, "id") == "1.234.567"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(4.5, "en", 1) == "4.5"
    assert i18n.format_percent(0.875, "id") == "88%"
    assert i18n.format_number(None, "id") == "–"
