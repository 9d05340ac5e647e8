"""The markdown both wikis serve: about 20 KB with headings, tables, lists and links.

Plain Python with no imports from Stip, so the django-wiki side can load the same text.
"""


def document_text(size: int = 20_000, *, seed: int = 0) -> str:
    parts = ["# Shared ICT vision\n\nWhat the schools of the network want to achieve together.\n"]
    n = 0
    while sum(len(p) for p in parts) < size:
        n += 1
        parts.append(
            f"\n## Chapter {n}: learning environment {seed}\n\n"
            f"Every school keeps its own *identity* while sharing **services**; see "
            f"[the standard](https://example.org/standard/{n}) and "
            f"[our agreements](/agreements/{n}/).\n\n"
            "| Service | Owner | Status | Notes |\n"
            "|:--------|:-----:|-------:|-------|\n"
            + "".join(
                f"| Service {n}.{row} | School {row % 4} | {row * 10} % "
                f"| Shared since 20{row:02d} |\n"
                for row in range(1, 7)
            )
            + "\n"
            + "".join(
                f"- Requirement {n}.{item}: pupils reach their work from any device.\n"
                for item in range(1, 6)
            )
            + "\n### Process\n\n"
            "1. The contact person collects the wishes.\n"
            "2. The network decides in the joint meeting.\n"
            "3. The lead records the outcome in this wiki.\n\n"
            "```\nrole: contact\nescalation: network board\n```\n"
        )
    return "".join(parts)


def edited(text: str, n: int) -> str:
    """The text with one line changed, as an editor would: different for every n."""
    lines = text.split("\n")
    index = (n * 7) % max(len(lines) - 1, 1) + 1
    lines[index] = f"{lines[index]} (edit {n})"
    return "\n".join(lines)


def large_pair(size: int = 100_000) -> tuple[str, str]:
    """Two versions of a ~100 KB document that differ in many places (every 25th line)."""
    old = document_text(size, seed=1)
    lines = old.split("\n")
    new_lines = [
        f"{line} — revised" if i % 25 == 0 and line else line for i, line in enumerate(lines)
    ]
    return old, "\n".join(new_lines)
