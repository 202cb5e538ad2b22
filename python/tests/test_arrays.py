"""Arrays equal to pydicom's: HU and masks of every phantom encoding and of 1.17, read by the
independent reader `tests/tools/ircad_volume.py`; the geometry equal to dcm2niix's NIfTI
(through nibabel) and consistent with SimpleITK."""

import shutil
import subprocess
import zipfile

import numpy as np
import pytest

import tumorscope as ts
from ircad_volume import read_patient


def assert_same_as_pydicom(folder, image):
    volume, lps, masks = read_patient(str(folder))
    # The reader gives (i, j, k); tumorscope hands numpy (z, y, x) = (k, j, i).
    assert image.hu.dtype == np.int16
    np.testing.assert_array_equal(image.hu, volume.transpose(2, 1, 0))
    assert set(image.masks) == set(masks)
    for name, m in masks.items():
        assert image.masks[name].dtype == np.bool_
        np.testing.assert_array_equal(image.masks[name], m.transpose(2, 1, 0) > 0, err_msg=name)
    np.testing.assert_allclose(image.affine, lps, atol=1e-9)


def test_every_phantom_encoding_equals_pydicom(cohort):
    ds = ts.scan(cohort)
    assert len(ds.patients) == 5
    for p in ds.patients:
        assert_same_as_pydicom(cohort / p.label, p.load())


def test_the_real_patient_equals_pydicom(real_patient):
    p = ts.scan(real_patient).patients[0]
    image = p.load()
    assert image.hu.shape == (119, 512, 512)
    assert int(image.hu.sum(dtype=np.int64)) == -16_319_185_200
    assert_same_as_pydicom(real_patient, image)


def test_hu_is_handed_over_without_a_copy(cohort):
    image = ts.scan(cohort).patients[0].load()
    # numpy owns no copy of its own: the array is a view of the buffer moved from Rust.
    assert image.hu.base is not None
    assert image.hu.flags["C_CONTIGUOUS"]


def test_affine_ras_equals_dcm2niix(cohort, tmp_path):
    nib = pytest.importorskip("nibabel")
    if shutil.which("dcm2niix") is None:
        pytest.skip("dcm2niix not installed")
    p = ts.scan(cohort).patients[0]
    image = p.load()
    dicom = tmp_path / "dicom"
    with zipfile.ZipFile(cohort / p.label / "PATIENT_DICOM.zip") as z:
        z.extractall(dicom)
    out = tmp_path / "nii"
    out.mkdir()
    subprocess.run(["dcm2niix", "-z", "y", "-f", "ct", "-o", str(out), str(dicom)], check=True, capture_output=True)
    theirs = nib.load(str(out / "ct.nii.gz"))
    data = np.asarray(theirs.dataobj)
    ours = image.hu.transpose(2, 1, 0)
    # dcm2niix may store axes flipped; find the flips that make the voxels equal, then the
    # two affines must place every voxel at the same point.
    for flips in np.ndindex(2, 2, 2):
        view = ours[tuple(slice(None, None, -1) if f else slice(None) for f in flips)]
        if view.shape == data.shape and np.array_equal(view, data):
            break
    else:
        pytest.fail("dcm2niix's voxels match ours under no axis flip")
    n = np.array(ours.shape) - 1
    for corner in np.ndindex(2, 2, 2):
        ijk = np.array(corner) * n
        theirs_ijk = np.where(flips, n - ijk, ijk)
        a = image.affine_ras @ np.append(ijk, 1.0)
        b = theirs.affine @ np.append(theirs_ijk, 1.0)
        np.testing.assert_allclose(a[:3], b[:3], atol=1e-3)


def test_simpleitk_and_nibabel_conversions(cohort):
    sitk = pytest.importorskip("SimpleITK")
    nib = pytest.importorskip("nibabel")
    image = ts.scan(cohort).patients[1].load()
    s = image.to_sitk()
    np.testing.assert_array_equal(sitk.GetArrayFromImage(s), image.hu)
    for ijk in [(0, 0, 0), (3, 5, 7), tuple(np.array(image.hu.shape[::-1]) - 1)]:
        np.testing.assert_allclose(
            s.TransformIndexToPhysicalPoint(tuple(int(v) for v in ijk)),
            (image.affine @ np.append(ijk, 1.0))[:3],
            atol=1e-6,
        )
    name = next(iter(image.masks))
    np.testing.assert_array_equal(sitk.GetArrayFromImage(image.mask_to_sitk(name)) > 0, image.masks[name])
    n = image.to_nibabel()
    np.testing.assert_array_equal(np.asarray(n.dataobj), image.hu.transpose(2, 1, 0))
    np.testing.assert_allclose(n.affine, image.affine_ras)
