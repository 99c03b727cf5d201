"""docs/plugins.md documents every hook of core/hookspecs.py, with its exact signature and mode."""

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from core import hookspecs

PLUGINS_DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
HOOK_HEADING = re.compile(r"^### (dso_\w+)\s*$", re.MULTILINE)
PYTHON_BLOCK = re.compile(r"^\s*```python\n(.*?)^\s*```", re.MULTILINE | re.DOTALL)
DEFINED_HOOK = re.compile(r"\bdef (dso_\w+)\(")
MODE_LINE = re.compile(r"^\*\*Mode:\*\* (.+?)\s*$", re.MULTILINE)
MODES = {"first result": True, "all results": False}


def hook_sections() -> dict[str, str]:
    """Return the text of each `### dso_...` section of the guide, keyed by hook name."""
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    headings = list(HOOK_HEADING.finditer(text))
    sections = {}
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        next_chapter = text.find("\n## ", heading.end(), end)
        sections[heading.group(1)] = text[heading.end() : end if next_chapter < 0 else next_chapter]
    return sections


def documented_signature(section: str) -> str:
    """Return the section's first Python block, which holds the hook's `def` line."""
    blocks = PYTHON_BLOCK.findall(section)
    assert blocks, "the section has no ```python block with the hook's signature"
    return inspect.cleandoc(blocks[0])


def signature_as_text(source: str) -> str:
    """Define `source` in the namespace of core.hookspecs and render its signature as text.

    The documented line uses the names that core/hookspecs.py imports (`dt.date`, `Sequence`),
    so both signatures render the same when they declare the same types.
    """
    namespace: dict[str, Any] = dict(vars(hookspecs))
    header = source.rstrip().removesuffix(":")
    exec(f"{header}:\n    ...\n", namespace)
    name = DEFINED_HOOK.search(source)
    assert name is not None, f"no `def dso_...(` in {source!r}"
    return str(inspect.signature(namespace[name.group(1)]))


def test_plugins_doc_exists() -> None:
    assert PLUGINS_DOC.is_file()


@pytest.mark.parametrize("name", hookspecs.all_hook_names())
def test_hook_has_doc_section(name: str) -> None:
    assert name in hook_sections(), f"docs/plugins.md has no '### {name}' section"


@pytest.mark.parametrize("name", hookspecs.all_hook_names())
def test_hook_doc_signature_matches(name: str) -> None:
    section = hook_sections().get(name)
    if section is None:
        pytest.fail(f"docs/plugins.md has no '### {name}' section")
    source = documented_signature(section)

    real = str(inspect.signature(getattr(hookspecs, name)))
    assert source.startswith(f"def {name}("), f"the first block of '{name}' defines another name"
    assert signature_as_text(source) == real


@pytest.mark.parametrize("name", hookspecs.all_hook_names())
def test_hook_doc_mode_matches(name: str) -> None:
    section = hook_sections().get(name)
    if section is None:
        pytest.fail(f"docs/plugins.md has no '### {name}' section")
    mode = MODE_LINE.search(section)
    assert mode is not None, f"the '{name}' section has no '**Mode:**' line"

    firstresult = getattr(hookspecs, name).dso_spec["firstresult"]
    assert mode.group(1) in MODES, f"unknown mode '{mode.group(1)}'; use one of {sorted(MODES)}"
    assert MODES[mode.group(1)] == firstresult


def test_doc_sections_are_real_hooks() -> None:
    unknown = set(hook_sections()) - set(hookspecs.all_hook_names())
    assert not unknown, f"docs/plugins.md documents hooks that core/hookspecs.py lacks: {unknown}"


def test_doc_examples_use_real_hooks() -> None:
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    defined = {name for block in PYTHON_BLOCK.findall(text) for name in DEFINED_HOOK.findall(block)}
    unknown = defined - set(hookspecs.all_hook_names())
    assert not unknown, f"examples in docs/plugins.md define hooks that do not exist: {unknown}"
