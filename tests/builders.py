"""A plausible submitted report, so a test spells out only the fields it is about."""

from chalicelib.domain.report import Channel, Report, Reporter, ReportKind

REPORTER = Reporter("Siti Rahayu", "+6281234567890", "siti.rahayu@example.id")


def submitted_report(at, tracking_id: str, **fields) -> Report:
    defaults = dict(
        kind=ReportKind.COMPLAINT,
        title="Jalan berlubang di depan pasar",
        description="Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan.",
        channel=Channel.API,
        anonymous=False,
        confidential=False,
        access_token_hash="h" * 64,
        reporter=REPORTER,
        category="infrastruktur",
        region="32.73",
    )
    return Report.submit(at=at, tracking_id=tracking_id, **{**defaults, **fields})
