"""`tumorscope.analyze` gives the CLI's `stats.json`; results read as attributes and tables;
`write` gives the CLI's files; metadata is pseudonymised like the CLI's."""

import json
import subprocess

import pytest

import tumorscope as ts
from conftest import cli


def without_provenance(doc):
    return {k: v for k, v in doc.items() if k not in ("tool", "generated_at", "inputs")}


def test_analyze_equals_the_cli(cohort, tmp_path):
    res = ts.analyze(cohort)
    subprocess.run([str(cli()), "analyze", str(cohort), "--out", str(tmp_path / "cli"), "--no-thumbnails", "-q"], check=True)
    theirs = json.loads((tmp_path / "cli" / "stats.json").read_text())
    assert without_provenance(res.stats) == without_provenance(theirs)


def test_results_as_attributes_and_tables(cohort, tmp_path):
    res = ts.scan(cohort).analyze(connectivity=6)
    p = res.patients[0]
    assert p.tumor_count == len(p.tumors)
    assert p.connectivity == 6
    t = p.tumors[0]
    assert t.volume_ml > 0 and t.axial_diameter_mm > 0
    assert "tumor" in repr(p)
    with pytest.raises(AttributeError, match="tumor_count"):
        p.no_such_field
    pytest.importorskip("pandas")
    patients, tumors = res.to_pandas()
    assert len(patients) == len(res.patients)
    assert len(tumors) == sum(len(p.tumors) for p in res.patients)
    assert {"centroid_mm_x", "centroid_ijk_k", "volume_ml", "closest_vessel"} <= set(tumors.columns)
    page = res.write(tmp_path / "out")
    assert page.is_file()
    for name in ("stats.json", "patients.csv", "tumors.csv"):
        assert (tmp_path / "out" / name).is_file()
    one = ts.scan(cohort).patients[0].analyze()
    assert one.patient == p.patient and one.tumor_count == res.patients[0].tumor_count


def test_metadata_is_pseudonymised_like_the_cli(cohort, tmp_path):
    rows = ts.metadata(cohort)
    out = subprocess.run([str(cli()), "metadata", str(cohort), "--format", "json"], check=True, capture_output=True)
    assert list(rows) == json.loads(out.stdout)
    raw = ts.metadata(cohort, include_phi=True)
    assert rows[0]["patient_name"] != raw[0]["patient_name"] or raw[0]["patient_name"] == ""


def test_render_gives_an_rgb_picture_with_physical_aspect(cohort):
    p = ts.scan(cohort).patients[0]
    axial = p.render(overlay="liver,tumors", annotations=False)
    assert axial.dtype.name == "uint8" and axial.ndim == 3 and axial.shape[2] == 3
    coronal = p.render(plane="coronal", window="liver", annotations=False)
    image = p.load()
    z, y, x = image.hu.shape
    sx, sy, sz = image.spacing_mm
    # Rows per column follow the millimetres, not the voxel counts.
    assert coronal.shape[0] / coronal.shape[1] == pytest.approx((z * sz) / (x * sx), rel=0.05)
    with pytest.raises(ValueError, match="plane"):
        p.render(plane="oblique")
    with pytest.raises(ValueError):
        p.render(window="no-such-window")


def test_radiomics_as_the_cli_computes_them(cohort, tmp_path):
    subprocess.run(
        [str(cli()), "-q", "analyze", str(cohort), "--out", str(tmp_path / "cli"), "--no-thumbnails", "--radiomics"],
        check=True,
    )
    want = json.loads((tmp_path / "cli" / "stats.json").read_text())
    analysis = ts.analyze(cohort, radiomics=True)
    got = [t.to_dict()["radiomics"] for p in analysis.patients for t in p.tumors]
    assert got == [t["radiomics"] for p in want["patients"] for t in p["tumors"]]
    assert "original_shape_Sphericity" in got[0] and "original_firstorder_Entropy" in got[0]
    analysis.write(tmp_path / "py")
    assert (tmp_path / "py" / "radiomics.csv").read_text() == (tmp_path / "cli" / "radiomics.csv").read_text()
    # Not asked, not computed.
    assert "radiomics" not in ts.analyze(cohort).patients[0].tumors[0].to_dict()


@pytest.mark.parametrize("width", [0.0, -25.0, float("nan"), 1e-300])
def test_a_bin_width_that_makes_no_histogram_is_refused(cohort, width):
    with pytest.raises(ValueError, match="radiomics_bin_width"):
        ts.analyze(cohort, radiomics=True, radiomics_bin_width=width)


def test_radiomics_classes_choose_the_features(cohort):
    tumor = ts.analyze(cohort, radiomics_classes=["glcm", "ngtdm"]).patients[0].tumors[0]
    names = tumor.to_dict()["radiomics"]
    assert {n.split("_")[1] for n in names} == {"glcm", "ngtdm"}
    assert len(names) == 24 + 5
    with pytest.raises(ValueError, match="wavelet"):
        ts.analyze(cohort, radiomics_classes=["glcm", "wavelet"])


def test_a_bin_count_bins_like_the_cli(cohort, tmp_path):
    got = ts.analyze(cohort, radiomics_bin_count=8, radiomics_classes=["firstorder"])
    subprocess.run(
        [str(cli()), "analyze", str(cohort), "--out", str(tmp_path / "cli"), "--no-thumbnails", "-q",
         "--radiomics-bin-count", "8", "--radiomics-classes", "firstorder"],
        check=True,
    )
    got.write(tmp_path / "py")
    assert (tmp_path / "py" / "radiomics.csv").read_text() == (tmp_path / "cli" / "radiomics.csv").read_text()
    # Eight bins over the tumour's range: Entropy is at most log2(8).
    entropy = got.patients[0].tumors[0].to_dict()["radiomics"]["original_firstorder_Entropy"]
    assert 0 < entropy <= 3
    for bad in (0, 70000):
        with pytest.raises(ValueError, match="radiomics_bin_count"):
            ts.analyze(cohort, radiomics_bin_count=bad)
