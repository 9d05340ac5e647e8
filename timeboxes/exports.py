"""A baseline as files to hand on (to attach to a tender): one self-contained HTML document, or
a zip of Markdown files with a manifest of the document versions."""

import io
import json
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from wiki import rendering

from . import selectors
from .models import Baseline


def filename(baseline: Baseline) -> str:
    date = timezone.localtime(baseline.created_at).strftime("%Y-%m-%d")
    return f"{slugify(baseline.timebox.name) or 'baseline'}-{date}"


def baseline_html(baseline: Baseline) -> str:
    programme = baseline.timebox.programme
    documents = [
        (d, rendering.render_version(programme, d.version.pk, d.body))
        for d in selectors.baseline_documents(baseline)
    ]
    return render_to_string(
        "timeboxes/export.html",
        {
            "baseline": baseline,
            "timebox": baseline.timebox,
            "programme": programme,
            "documents": documents,
        },
    )


def manifest(baseline: Baseline) -> dict:
    timebox = baseline.timebox
    documents = selectors.baseline_documents(baseline)
    slugs = {d.document_id: d.slug for d in documents}
    return {
        "programme": timebox.programme.name,
        "timebox": timebox.name,
        "goal": timebox.goal,
        "outcome": timebox.outcome,
        "baseline": baseline.name,
        "baseline_id": baseline.pk,
        "revision_id": baseline.revision_id,
        "closed_at": baseline.created_at.isoformat(),
        "documents": [
            {
                "file": f"{d.slug}.md",
                "document_id": d.document_id,
                "title": d.title,
                "kind": d.kind,
                "parent": slugs.get(d.parent_id),
                "version_id": d.head_id,
                "baseline_version_id": d.version.pk,
            }
            for d in documents
        ],
    }


def baseline_zip(baseline: Baseline) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in selectors.baseline_documents(baseline):
            text = f"# {document.title}\n\n{document.body}"
            archive.writestr(f"{document.slug}.md", text)
        archive.writestr(
            "manifest.json", json.dumps(manifest(baseline), indent=2, ensure_ascii=False)
        )
    return buffer.getvalue()
