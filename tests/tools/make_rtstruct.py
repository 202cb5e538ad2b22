"""Writes a 3D-IRCADb-layout patient (PATIENT_DICOM.zip + MASKS_DICOM.zip) as a CT series and an
RT Structure Set written with pydicom, contours traced on the masks by scikit-image: the
independent writer and rasteriser the RTSTRUCT reader is checked against.

usage: make_rtstruct.py PATIENT_DIR OUT_DIR [--bad] [--liver-and-tumors]

OUT_DIR/ct/NNNN.dcm: the CT slices with a Patient ID and a Frame of Reference (3D-IRCADb files
have none). OUT_DIR/rtstruct.dcm: one ROI per mask folder (tumours GTV, the rest ORGAN), each
slice's contours from skimage.measure.find_contours at level 0.5 (outer outlines and holes, every
contour closed), in patient millimetres. OUT_DIR/reference.json: per ROI, the voxels of the mask
and the voxels skimage.draw.polygon gives for the same contours (the even-odd rule over a
slice's contours). With --bad the liver ROI also gets contours no reader can place (two points, a
POINT, one between two slices, one across slices), an empty ROI is added, and a PTV named
`PTV livertumor` with the first tumour's contours (a margin, never a tumour). With
--liver-and-tumors only the masks whose names contain `liver` become ROIs (a faster case for a
large patient).
"""
import io
import json
import os
import sys
import zipfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from skimage import draw, measure

RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"

src, out = sys.argv[1:3]
bad = "--bad" in sys.argv[3:]
liver_and_tumors = "--liver-and-tumors" in sys.argv[3:]


def read_zip(path):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith("/"):
                yield name, pydicom.dcmread(io.BytesIO(z.read(name)))


frame_of_reference = generate_uid()
ct = sorted(
    (ds for _, ds in read_zip(os.path.join(src, "PATIENT_DICOM.zip"))),
    key=lambda ds: float(ds.ImagePositionPatient[2]),
)
os.makedirs(os.path.join(out, "ct"), exist_ok=True)
series_uid = ct[0].SeriesInstanceUID
for n, ds in enumerate(ct):
    ds.PatientID = "RTCASE"
    ds.FrameOfReferenceUID = frame_of_reference
    ds.save_as(os.path.join(out, "ct", f"{n:04d}.dcm"))
z_of = {round(float(ds.ImagePositionPatient[2]), 3): k for k, ds in enumerate(ct)}
rows, columns = ct[0].Rows, ct[0].Columns
row_dir = np.array([float(v) for v in ct[0].ImageOrientationPatient[:3]])
col_dir = np.array([float(v) for v in ct[0].ImageOrientationPatient[3:]])
between_rows, between_columns = (float(v) for v in ct[0].PixelSpacing)
z_of_k = [float(ds.ImagePositionPatient[2]) for ds in ct]

masks = {}
for name, ds in read_zip(os.path.join(src, "MASKS_DICOM.zip")):
    parts = name.split("/")
    if len(parts) < 3:
        continue
    vol = masks.setdefault(parts[-2], np.zeros((len(ct), rows, columns), dtype=bool))
    vol[z_of[round(float(ds.ImagePositionPatient[2]), 3)]] = ds.pixel_array > 0


def to_mm(row_col, k):
    """(row, column) pixel coordinates on slice k → patient mm (x, y, z)."""
    r, c = row_col[:, 0], row_col[:, 1]
    corner = np.array([float(v) for v in ct[k].ImagePositionPatient])
    return corner + np.outer(c * between_columns, row_dir) + np.outer(r * between_rows, col_dir)


def contours_of(mask2d):
    padded = np.pad(mask2d.astype(np.uint8), 1)
    for c in measure.find_contours(padded, 0.5):
        c = c - 1.0
        if len(c) > 1 and np.allclose(c[0], c[-1]):
            c = c[:-1]
        if len(c) >= 3:
            yield c


def reference_fill(contours_rc):
    """skimage.draw.polygon of each contour, combined by the even-odd rule."""
    inside = np.zeros((rows, columns), dtype=bool)
    for c in contours_rc:
        rr, cc = draw.polygon(c[:, 0], c[:, 1], shape=(rows, columns))
        filled = np.zeros_like(inside)
        filled[rr, cc] = True
        inside ^= filled
    return inside


def contour_item(kind, points_mm):
    item = Dataset()
    item.ContourGeometricType = kind
    item.NumberOfContourPoints = len(points_mm)
    item.ContourData = [f"{v:.6f}" for v in np.asarray(points_mm).ravel()]
    return item


names = sorted(
    (n for n in masks if "liver" in n or not liver_and_tumors), key=lambda s: ("tumor" in s, s)
)
colors = [[220, 60, 60], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180]]

file_meta = FileMetaDataset()
file_meta.MediaStorageSOPClassUID = RT_STRUCTURE_SET_STORAGE
file_meta.MediaStorageSOPInstanceUID = generate_uid()
file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
rt = FileDataset(None, {}, file_meta=file_meta, preamble=b"\0" * 128)
rt.SOPClassUID = RT_STRUCTURE_SET_STORAGE
rt.SOPInstanceUID = file_meta.MediaStorageSOPInstanceUID
rt.Modality = "RTSTRUCT"
rt.PatientName = ct[0].get("PatientName", "")
rt.PatientID = "RTCASE"
rt.StudyInstanceUID = ct[0].StudyInstanceUID
rt.SeriesInstanceUID = generate_uid()
rt.SeriesNumber = 77
rt.StructureSetLabel = "tumorscope test"
frame = Dataset()
frame.FrameOfReferenceUID = frame_of_reference
study = Dataset()
study.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
study.ReferencedSOPInstanceUID = ct[0].StudyInstanceUID
series = Dataset()
series.SeriesInstanceUID = series_uid
series.ContourImageSequence = Sequence([Dataset() for _ in ct])
for item, ds in zip(series.ContourImageSequence, ct):
    item.ReferencedSOPClassUID = ds.SOPClassUID
    item.ReferencedSOPInstanceUID = ds.SOPInstanceUID
study.RTReferencedSeriesSequence = Sequence([series])
frame.RTReferencedStudySequence = Sequence([study])
rt.ReferencedFrameOfReferenceSequence = Sequence([frame])

roi_items, contour_items, observation_items = [], [], []
reference = {}
for number, name in enumerate(names, start=1):
    roi = Dataset()
    roi.ROINumber = number
    roi.ReferencedFrameOfReferenceUID = frame_of_reference
    roi.ROIName = name
    roi.ROIGenerationAlgorithm = "MANUAL"
    roi_items.append(roi)
    items = []
    mask = masks[name]
    filled = np.zeros_like(mask)
    for k in range(mask.shape[0]):
        if not mask[k].any():
            continue
        contours = list(contours_of(mask[k]))
        filled[k] = reference_fill(contours)
        items.extend(contour_item("CLOSED_PLANAR", to_mm(c, k)) for c in contours)
    if bad and name == "liver":
        k = len(ct) // 2
        square = np.array([[10.0, 10.0], [10.0, 20.0], [20.0, 20.0], [20.0, 10.0]])
        items.append(contour_item("CLOSED_PLANAR", to_mm(square[:2], k)))
        items.append(contour_item("POINT", to_mm(square[:1], k)))
        between = to_mm(square, k)
        between[:, 2] = (z_of_k[k] + z_of_k[k + 1]) / 2
        items.append(contour_item("CLOSED_PLANAR", between))
        across = to_mm(square, k)
        across[:, 2] = [z_of_k[k], z_of_k[k], z_of_k[k + 2], z_of_k[k + 2]]
        items.append(contour_item("CLOSED_PLANAR", across))
    rc = Dataset()
    rc.ReferencedROINumber = number
    rc.ROIDisplayColor = colors[(number - 1) % len(colors)]
    rc.ContourSequence = Sequence(items)
    contour_items.append(rc)
    observation = Dataset()
    observation.ObservationNumber = number
    observation.ReferencedROINumber = number
    observation.RTROIInterpretedType = "GTV" if "tumor" in name else "ORGAN"
    observation.ROIInterpreter = ""
    observation_items.append(observation)
    reference[name] = {
        "mask_voxels": int(mask.sum()),
        "skimage_voxels": int(filled.sum()),
        "contours": len(items),
        "color": colors[(number - 1) % len(colors)],
    }
if bad:
    tumor = next(n for n in names if "tumor" in n)
    number = len(names) + 2
    roi = Dataset()
    roi.ROINumber = number
    roi.ReferencedFrameOfReferenceUID = frame_of_reference
    roi.ROIName = "PTV " + tumor
    roi.ROIGenerationAlgorithm = "MANUAL"
    roi_items.append(roi)
    rc = Dataset()
    rc.ReferencedROINumber = number
    rc.ROIDisplayColor = [4, 5, 6]
    rc.ContourSequence = contour_items[names.index(tumor)].ContourSequence
    contour_items.append(rc)
    observation = Dataset()
    observation.ObservationNumber = number
    observation.ReferencedROINumber = number
    observation.RTROIInterpretedType = "PTV"
    observation.ROIInterpreter = ""
    observation_items.append(observation)
    reference["PTV " + tumor] = dict(reference[tumor], color=[4, 5, 6])
    number = len(names) + 1
    roi = Dataset()
    roi.ROINumber = number
    roi.ReferencedFrameOfReferenceUID = frame_of_reference
    roi.ROIName = "empty"
    roi.ROIGenerationAlgorithm = "MANUAL"
    roi_items.append(roi)
    rc = Dataset()
    rc.ReferencedROINumber = number
    rc.ROIDisplayColor = [1, 2, 3]
    contour_items.append(rc)
rt.StructureSetROISequence = Sequence(roi_items)
rt.ROIContourSequence = Sequence(contour_items)
rt.RTROIObservationsSequence = Sequence(observation_items)
rt.save_as(os.path.join(out, "rtstruct.dcm"), enforce_file_format=True)
with open(os.path.join(out, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1)
print(f"{len(names)} ROIs, {sum(r['contours'] for r in reference.values())} contours")
