"""OWL 2 DL profile check of the ontology with the OWL API's own checker (OWL2DLProfile).

Needs a JDK and Debian's ``libowlapi-java``. Skipped only when ``javac`` is absent; when the
OWL API jars are missing the tests fail with the install command, because CI installs them.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from bortekg import resources

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ONTOLOGY = ROOT / "ontology"
FIXTURES = HERE / "owl_profile" / "fixtures"

# tests/ is not a package, so load the helper by path (works under any pytest import mode).
_spec = importlib.util.spec_from_file_location("owl_profile_helper", HERE / "owl_profile" / "owl_profile.py")
owl_profile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(owl_profile)

pytestmark = pytest.mark.java


@pytest.fixture(scope="session")
def classes_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where ProfileCheck.java is compiled, once per session."""
    if shutil.which("javac") is None:
        pytest.skip("javac not found: the OWL 2 DL profile check needs a JDK")
    return tmp_path_factory.mktemp("owl_profile_classes")


def _check(files: list[Path], classes_dir: Path) -> tuple[bool, list[str]]:
    missing = [f for f in files if not f.is_file()]
    assert not missing, f"missing input files: {missing}"
    try:
        return owl_profile.check_dl_profile(files, classes_dir)
    except RuntimeError as exc:  # OWL API jars missing (names the apt-get install) or a load error
        pytest.fail(str(exc), pytrace=False)


def _report(violations: list[str]) -> str:
    return f"{len(violations)} OWL 2 DL violation(s):\n" + "\n".join(violations)


def test_tbox_and_reference_modules_are_owl2_dl(classes_dir: Path) -> None:
    files = [ONTOLOGY / "bortekg.ttl", ONTOLOGY / "kb" / "valuesets.ttl", ONTOLOGY / "kb" / "sources.ttl"]
    in_profile, violations = _check(files, classes_dir)
    assert in_profile and not violations, _report(violations)


def test_whole_knowledge_base_is_owl2_dl(classes_dir: Path) -> None:
    """The TBox and every kb module that exists, checked as one merged ontology."""
    files = [*resources.tbox_files(), *resources.kb_files()]
    in_profile, violations = _check(files, classes_dir)
    assert in_profile and not violations, _report(violations)


def test_checker_accepts_a_dl_fixture(classes_dir: Path) -> None:
    in_profile, violations = _check([FIXTURES / "in_dl.ttl"], classes_dir)
    assert in_profile and not violations, _report(violations)


def test_checker_rejects_a_non_dl_fixture(classes_dir: Path) -> None:
    """A property that is both an object and a data property is illegal punning in OWL 2 DL."""
    in_profile, violations = _check([FIXTURES / "not_dl.ttl"], classes_dir)
    assert not in_profile
    assert any(v.split("\t")[1] == "IllegalPunning" and "not-dl/hasPart" in v for v in violations), violations
