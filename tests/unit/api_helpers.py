import json

VALID = {
    "kind": "complaint",
    "title": "Jalan berlubang di depan pasar",
    "description": "Jalan di depan Pasar Kosambi berlubang besar sejak tiga bulan dan "
    "membahayakan pengendara motor, terutama saat hujan.",
    "category": "infrastruktur",
    "region": "32.73",
    "location": {"lat": -6.9175, "lon": 107.6191},
    "incident_date": "2026-11-20",
    "reporter": {"name": "Siti Rahayu", "phone": "0812-3456-7890", "email": "Siti@Example.id"},
}


def post_report(client, body=None, headers=None, raw=None):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    payload = raw if raw is not None else json.dumps(VALID if body is None else body)
    return client.http.post("/v1/reports", headers=hdrs, body=payload)


def problem(response):
    assert response.headers["Content-Type"] == "application/problem+json", response.body
    body = json.loads(response.body)
    assert body["status"] == response.status_code
    assert body["type"].startswith("urn:satupintu:problem:")
    return body
