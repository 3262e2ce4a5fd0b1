"""Write a screening result as ``ads.csv``, ``networks.csv``, ``leads.json``, ``report.html``.

Columns are a public interface (see DESIGN.md): scripts read them. Files are written under
temporary names and renamed at the end, so a failure never leaves half-written outputs.
The HTML report is self-contained: styles and the network drawings (inline SVG) are in the
file, and nothing is loaded from another host. It shows masked contacts only; for each
network it lists the edges that hold it together and their support grade.
"""

from __future__ import annotations

import csv
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

ADS_COLUMNS = ("id", "network_id", "score", "indicators", "phones", "emails", "handles",
               "cities", "ages", "names", "prices", "posted_at", "site")
NETWORK_COLUMNS = ("network_id", "rank", "size", "score", "support", "reasons",
                   "shared_identifiers", "edges", "cities", "states", "first_seen",
                   "last_seen", "distinct_names", "distinct_ages", "template")


def _identifiers(ad: dict[str, Any], kind: str, reveal: bool) -> list[str]:
    """Masked values of one kind, or the raw ones when revealing (held in memory only)."""
    raw = dict(ad["revealed"]) if reveal else {}
    return [raw.get(digest, masked) for k, digest, masked in ad["identifiers"] if k == kind]


def _places(ad: dict[str, Any]) -> str:
    return ";".join(place + (" (ambiguous)" if source == "largest namesake" else "")
                    for place, source in zip(ad["places"], ad["place_sources"]))


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_OR_PHONE = re.compile(r"[+-]?[\dX][\dX ().\-/;,+]*")  # "+1-XXX-XXX-XX43" stays


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    """Text from ads is untrusted: a cell a spreadsheet would run as a formula ("=...",
    "@..."; CSV injection) gets an apostrophe in front. The project's own rule
    (harborlight.formats.text) cannot be imported by the engine; this is its twin."""
    return {key: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS)
            and not _NUMBER_OR_PHONE.fullmatch(value) else value for key, value in row.items()}


def _ad_row(ad: dict[str, Any], reveal: bool) -> dict[str, Any]:
    return {
        "id": ad["id"], "network_id": ad["network_id"], "score": ad["score"],
        "indicators": ";".join(ad["indicators"]),
        "phones": ";".join(_identifiers(ad, "phone", reveal)),
        "emails": ";".join(_identifiers(ad, "email", reveal)),
        "handles": ";".join(_identifiers(ad, "handle", reveal)),
        "cities": _places(ad), "ages": ";".join(map(str, ad["ages"])),
        "names": len(ad["names"]), "prices": ";".join(map(str, ad["prices"])),
        "posted_at": ad["posted_at"], "site": ad["site"],
    }


def edge_text(edge: dict[str, Any]) -> str:
    """One edge in words: ``phone +1-XXX-XXX-XX43 (3 ads)`` or ``text a1~a2 ...``."""
    if edge["kind"] == "contact":
        return f"{edge['identifier_kind']} {edge['masked']} ({len(edge['ads'])} ads)"
    return (f"text {edge['ads'][0]}~{edge['ads'][1]} (similarity {edge['similarity']:.2f}, "
            f"{edge['shared_distinctive_shingles']:.0f} rare word pairs, "
            f"rare share {edge['rare_share']:.2f})")


def _network_row(lead: dict[str, Any]) -> dict[str, Any]:
    return {
        "network_id": lead["network_id"], "rank": lead["rank"], "size": lead["size"],
        "score": lead["score"], "support": lead["support"]["grade"],
        "reasons": "; ".join(lead["reasons"]),
        "shared_identifiers": ";".join(f"{i['kind']}:{i['masked']}"
                                       for i in lead["shared_identifiers"] if not i["hub"]),
        "edges": "; ".join(edge_text(edge) for edge in lead["edges"]),
        "cities": ";".join(city["place"] + (" (ambiguous)" if city["ambiguous"] else "")
                           for city in lead["cities"]),
        "states": ";".join(lead["states"]),
        "first_seen": lead["first_seen"] or "", "last_seen": lead["last_seen"] or "",
        "distinct_names": lead["distinct_names"], "distinct_ages": lead["distinct_ages"],
        "template": lead["template"]["text"] if lead["template"] else "",
    }


def write_outputs(result: Any, out_dir: Path) -> list[Path]:
    """Write the four files into ``out_dir`` (created if needed) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []

    def stage(name: str) -> Path:
        final = out_dir / name
        temporary = out_dir / f".{name}.partial"
        staged.append((temporary, final))
        return temporary

    try:
        with open(stage("ads.csv"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=ADS_COLUMNS)
            writer.writeheader()
            for ad in result.ads:
                writer.writerow(_cells(_ad_row(ad, result.reveal_contacts)))
        with open(stage("networks.csv"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=NETWORK_COLUMNS)
            writer.writeheader()
            for lead in result.networks:
                writer.writerow(_cells(_network_row(lead)))
        leads = {"summary": result.summary, "catalog_version": result.catalog_version,
                 "hubs": result.hubs, "problems": [p.to_dict() for p in result.problems],
                 "networks": result.networks}
        stage("leads.json").write_text(json.dumps(leads, indent=1, ensure_ascii=False),
                                       encoding="utf-8")
        stage("report.html").write_text(render_report(result), encoding="utf-8")
    except BaseException:
        for temporary, _final in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, final in staged:
        os.replace(temporary, final)
    return [final for _temporary, final in staged]


def _graph_svg(lead: dict[str, Any], ads_by_id: dict[str, dict[str, Any]]) -> str:
    """Ads on an outer circle; shared identifiers (red squares) and the shared template
    (brown diamond, dashed edges) inside, each joined to the ads that carry it."""
    members = lead["members"][:40]
    shared = [i for i in lead["shared_identifiers"] if not i["hub"]][:12]
    size, centre = 320, 160
    positions = {}
    for index, member in enumerate(members):
        angle = 2 * math.pi * index / max(len(members), 1)
        positions[member] = (centre + 130 * math.cos(angle), centre + 130 * math.sin(angle))
    parts = [f'<svg viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img" '
             f'aria-label="network {html.escape(lead["network_id"])}">']
    for index, item in enumerate(shared):
        angle = 2 * math.pi * index / max(len(shared), 1)
        radius = 0 if len(shared) == 1 else 55
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        for member in members:
            ad = ads_by_id.get(member)
            if ad and any(h == item["hash"] for _k, h, _m in ad["identifiers"]):
                mx, my = positions[member]
                parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{mx:.1f}" y2="{my:.1f}" '
                             'class="edge"/>')
        parts.append(f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" class="id">'
                     f'<title>{html.escape(item["kind"])} {html.escape(item["masked"])}'
                     f' ({item["ads"]} ads)</title></rect>')
    for edge in lead.get("edges", []):
        if edge["kind"] == "text" and all(member in positions for member in edge["ads"]):
            (ax, ay), (bx, by) = (positions[member] for member in edge["ads"])
            parts.append(f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" '
                         f'class="pair"><title>distinctive text, similarity '
                         f'{edge["similarity"]:.2f}</title></line>')
    template = lead.get("template")
    if template:
        tx, ty = centre, centre + (0 if not shared else 95)
        for member in template.get("members", []):
            if member in positions:
                mx, my = positions[member]
                parts.append(f'<line x1="{tx:.1f}" y1="{ty:.1f}" x2="{mx:.1f}" y2="{my:.1f}" '
                             'class="text"/>')
        parts.append(f'<polygon points="{tx:.1f},{ty - 8:.1f} {tx + 8:.1f},{ty:.1f} '
                     f'{tx:.1f},{ty + 8:.1f} {tx - 8:.1f},{ty:.1f}" class="tpl"><title>shared '
                     f'template ({template["ads"]} ads)</title></polygon>')
    for member in members:
        x, y = positions[member]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="ad">'
                     f'<title>ad {html.escape(member)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1b1b1b}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}
.lead{border:1px solid #bbb;border-radius:6px;padding:1rem;margin:1rem 0;display:flex;gap:1rem}
.edge{stroke:#8a8a8a;stroke-width:1}.text{stroke:#9a6700;stroke-width:1;stroke-dasharray:3 3}
.pair{stroke:#6f42c1;stroke-width:1.5}
.ad{fill:#1f6feb}.id{fill:#d1242f}.tpl{fill:#9a6700}
code{background:#f3f3f3;padding:.1rem .3rem}
"""


def render_report(result: Any, top: int = 50) -> str:
    """Self-contained HTML: summary, skipped records, and the top networks with graphs."""
    esc = html.escape
    ads_by_id = {ad["id"]: ad for ad in result.ads}
    rows = "".join(f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>"
                   for k, v in result.summary.items())
    body = [f"<h1>Ad screening report</h1><table>{rows}</table>",
            f"<p>Indicator catalog version {esc(result.catalog_version)}. Contacts are "
            "masked. Leads are prompts for review, not findings. A network's support says "
            "what holds it together: shared contacts, or a shared handle or distinctive "
            "shared text (stock text copied by many posters links nothing).</p>"]
    if result.problems:
        items = "".join(f"<li>{esc(p.source)} line {p.line}: {esc(p.message)}</li>"
                        for p in result.problems[:200])
        body.append(f"<h2>Skipped records ({len(result.problems)})</h2><ul>{items}</ul>")
    body.append(f"<h2>Networks ({len(result.networks)})</h2>")
    if not result.networks:
        body.append("<p>No networks found.</p>")
    for lead in result.networks[:top]:
        reasons = "".join(f"<li>{esc(reason)}</li>" for reason in lead["reasons"])
        edges = "".join(f"<li>{esc(edge_text(edge))}</li>" for edge in lead["edges"])
        template = lead["template"]["text"] if lead["template"] else "(no template)"
        cities = ", ".join(f"{c['place']} ({c['ads']}{', ambiguous' if c['ambiguous'] else ''})"
                           for c in lead["cities"]) or "none stated"
        body.append(
            f'<section class="lead"><div>{_graph_svg(lead, ads_by_id)}</div><div>'
            f"<h3>#{lead['rank']} {esc(lead['network_id'])}: {lead['size']} ads, "
            f"score {lead['score']}</h3>"
            f"<p><strong>Support: {esc(lead['support']['grade'])}</strong> "
            f"({esc(lead['support']['meaning'])})</p><ul>{reasons}</ul>"
            f"<h4>Edges that hold it together</h4><ul>{edges}</ul>"
            f"<p>Template: <code>{esc(template)}</code></p><p>Places: {esc(cities)}</p>"
            f"<p>Time span: {esc(str(lead['first_seen']))} to {esc(str(lead['last_seen']))}"
            f"; distinct stated names {lead['distinct_names']}, ages "
            f"{lead['distinct_ages']}</p></div></section>")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"robots\" content=\"noindex\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            f"<title>Harborlight ad screening report</title><style>{_STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>")
