"""tumorscope for Python: scan CT datasets, load them as numpy arrays that carry their
geometry, measure every tumour, and look at them in the notebook.

The work is done by tumorscope's Rust crates (the same code as the ``tumorscope`` command),
with the GIL released; long calls stop on Ctrl-C. ::

    import tumorscope as ts
    ds = ts.scan("3Dircadb1.17")            # folders, zips, zips in zips, NIfTI, NRRD …
    p = ds.patients[0]
    img = p.load()                          # img.hu: int16 (z, y, x); img.masks["liver"]: bool
    res = ts.analyze("3Dircadb1.17")        # res.patients[0].tumor_count, .tumors …
    patients, tumors = res.to_pandas()
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import numpy as np

from . import _native
from ._native import AnalysisError, Error, LoadError, ScanError

__version__: str = _native.__version__

__all__ = [
    "Analysis",
    "AnalysisError",
    "Dataset",
    "Error",
    "Image",
    "LoadError",
    "Patient",
    "Result",
    "ScanError",
    "Structure",
    "analyze",
    "demo",
    "metadata",
    "scan",
    "show",
]

PathLike = str | os.PathLike


def _paths(paths: Iterable[PathLike]) -> list[str]:
    out = [os.fspath(p) for p in paths]
    if not out:
        raise TypeError("give at least one path (a folder, file or zip archive)")
    return out


# --------------------------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------------------------


class Structure(NamedTuple):
    """A segmented structure: its name, role (``liver``, ``tumor``, ``cyst``, ``vessel``,
    ``other``) and the display colour its file gives (``None`` when it gives none)."""

    name: str
    role: str
    color_rgb: tuple[int, int, int] | None


def scan(
    *paths: PathLike,
    max_depth: int | None = None,
    max_entries: int | None = None,
    max_entry_mib: int | None = None,
    max_total_mib: int | None = None,
    follow_symlinks: bool = True,
) -> "Dataset":
    """Finds every patient, series and structure under ``paths`` (folders, DICOM files, zip
    archives at any depth, NIfTI and NRRD datasets), as ``tumorscope scan`` does.

    The limits guard against zip bombs (defaults suit real cohorts). Unreadable files do not
    stop the scan: they are listed in ``Dataset.skipped`` with the reason."""
    native = _native.scan(
        _paths(paths),
        max_depth=max_depth,
        max_entries=max_entries,
        max_entry_mib=max_entry_mib,
        max_total_mib=max_total_mib,
        follow_symlinks=follow_symlinks,
    )
    return Dataset(native)


class Dataset:
    """What a scan found. ``patients`` holds one entry per exam (a patient with a baseline
    and a follow-up study appears twice, labelled ``P7@2021-03-02`` …), as in ``stats.json``."""

    def __init__(self, native: Any):
        self._native = native
        self._inventory = json.loads(native.inventory_json())
        entries = {p["patient"]: p for p in self._inventory["patients"]}
        self.patients: list[Patient] = [
            Patient(self, n, label, patient, study_uid, date, series_uid, entries.get(patient, {}))
            for n, (label, patient, study_uid, date, series_uid) in enumerate(native.exams())
        ]
        #: ``(origin, reason)`` of every input that could not be read.
        self.skipped: list[tuple[str, str]] = [
            (s["origin"], s["reason"]) for s in self._inventory.get("skipped", [])
        ]
        #: Files that are not images (README, ``.DS_Store`` …), by kind.
        self.ignored: dict[str, Any] = {
            "count": self._inventory.get("ignored", 0),
            "files": self._inventory.get("ignored_files", []),
        }

    @property
    def inventory(self) -> dict[str, Any]:
        """The inventory as ``tumorscope scan --json`` writes it."""
        return self._inventory

    def patient(self, label: str) -> "Patient":
        """The exam labelled ``label`` (or the only exam of patient ``label``)."""
        for p in self.patients:
            if p.label == label:
                return p
        matches = [p for p in self.patients if p.patient == label]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(p.label for p in self.patients) or "none"
        raise KeyError(f"no patient `{label}` (the dataset has: {known})")

    def analyze(self, **options: Any) -> "Analysis":
        """Measures every exam; see :func:`analyze` for the options."""
        return Analysis(self._native.analyze(None, **options))

    def metadata(self, include_phi: bool = False) -> "Table":
        """One row per series describing it, pseudonymised unless ``include_phi``."""
        return Table(json.loads(self._native.metadata_json(include_phi)))

    def to_pandas(self):
        """The exams as a ``pandas.DataFrame`` (label, patient, study date, layout, dims,
        spacing, structures)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "label": p.label,
                    "patient": p.patient,
                    "study_date": p.study_date,
                    "layout": p.layout,
                    "dims": p.series.get("dims"),
                    "spacing_mm": p.series.get("spacing_mm"),
                    "structures": ", ".join(s.name for s in p.structures),
                }
                for p in self.patients
            ]
        )

    def __len__(self) -> int:
        return len(self.patients)

    def __iter__(self):
        return iter(self.patients)

    def __repr__(self) -> str:
        lines = [f"<tumorscope.Dataset: {len(self.patients)} exam(s), {len(self.skipped)} skipped>"]
        for p in self.patients[:20]:
            lines.append(f"  {p!r}")
        if len(self.patients) > 20:
            lines.append(f"  … {len(self.patients) - 20} more")
        return "\n".join(lines)


class Patient:
    """One exam of one patient: its CT series and the structures drawn on it."""

    def __init__(self, dataset, index, label, patient, study_uid, date, series_uid, entry):
        self._dataset = dataset
        self._index = index
        #: The exam label (the patient label, or ``label@YYYY-MM-DD`` with several studies).
        self.label: str = label
        #: The patient label.
        self.patient: str = patient
        self.study_uid: str = study_uid
        #: ``YYYY-MM-DD`` when the files say; ``""`` otherwise.
        self.study_date: str = date
        #: How the data was laid out (``ircad``, ``generic``, ``nifti`` …).
        self.layout: str = entry.get("layout", "")
        series = [s for s in entry.get("series", []) if s.get("series_uid") == series_uid]
        #: The CT series as the inventory describes it (dims, spacing, description …).
        self.series: dict[str, Any] = series[0] if series else (entry.get("series") or [{}])[0]
        #: The structures attached to the series.
        self.structures: list[Structure] = [
            Structure(m["name"], m["role"], tuple(m["color_rgb"]) if m.get("color_rgb") else None)
            for m in self.series.get("masks", [])
        ]

    def load(self) -> "Image":
        """Loads the CT in Hounsfield units and every structure as a mask."""
        return Image(self._dataset._native.load(self._index))

    def analyze(self, **options: Any) -> "Result":
        """Measures this exam; see :func:`analyze` for the options. Returns the patient's
        result (``tumor_count``, ``tumors`` …)."""
        analysis = Analysis(self._dataset._native.analyze([self._index], **options))
        if not analysis.patients:
            reason = analysis.skipped[-1][1] if analysis.skipped else "unknown reason"
            raise AnalysisError(f"{self.label}: {reason}")
        return analysis.patients[0]

    def render(
        self,
        plane: str = "axial",
        index: int | None = None,
        window: str = "abdomen",
        overlay: str = "",
        mip: bool = False,
        annotations: bool = True,
        scale: float = 1.0,
    ) -> np.ndarray:
        """One picture as an RGB ``uint8`` array ``(rows, columns, 3)``: a slice of ``plane``
        (``axial``, ``coronal``, ``sagittal``) at ``index`` (default: the middle) with physical
        aspect, windowed (a preset such as ``liver``, ``lung``, ``bone`` or ``"400/50"``), with
        overlays (``"liver,tumors"``, ``"all"``), or its maximum intensity projection."""
        return self._dataset._native.render(
            self._index,
            plane=plane,
            index=index,
            window=window,
            overlay=overlay,
            mip=mip,
            annotations=annotations,
            scale=scale,
        )

    def view(self, structure: str | None = None, window: str | None = None, tumors: bool = True):
        """The interactive viewer in the notebook (linked axial, coronal and sagittal views,
        window presets and W/L, overlays, the tumour list, a probe); a static picture where
        widgets cannot run. ``structure`` centres the views on it with its organ window
        (``view(structure="liver")``); ``tumors=False`` skips measuring the tumours."""
        from .viewer import view_image

        found = []
        if tumors and any(s.role == "tumor" for s in self.structures):
            found = [t.to_dict() for t in self.analyze().tumors]
        return view_image(self.load(), structure=structure, window=window, tumors=found)

    def __repr__(self) -> str:
        dims = "×".join(str(d) for d in self.series.get("dims", []))
        names = ", ".join(s.name for s in self.structures)
        date = f" {self.study_date}" if self.study_date else ""
        return f"<Patient {self.label}{date} ({self.layout}) CT {dims}; structures: {names or 'none'}>"


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


class Image:
    """A loaded CT and its masks, with the geometry that places them in patient space.

    - ``hu``: ``int16`` Hounsfield units, shape ``(z, y, x)`` = (slices, rows, columns);
    - ``masks``: ``{name: bool array (z, y, x)}``, ``roles``: ``{name: role}``;
    - ``spacing_mm``, ``origin_mm``: ``(x, y, z)`` — the column, row and slice steps, and the
      LPS position of voxel ``hu[0, 0, 0]``;
    - ``direction``: 3×3, row ``a`` the LPS unit vector of index axis ``a`` (i = x, j = y,
      k = z);
    - ``affine``: 4×4, voxel ``(i, j, k, 1)`` → LPS mm (note the index order: ``hu[k, j, i]``);
      ``affine_ras``: the same to RAS (nibabel's convention).
    """

    def __init__(self, raw: dict[str, Any]):
        self.label: str = raw["label"]
        self.hu: np.ndarray = raw["hu"]
        self.masks: dict[str, np.ndarray] = dict(raw["masks"])
        self.roles: dict[str, str] = dict(raw["roles"])
        self.spacing_mm: tuple[float, float, float] = tuple(raw["spacing_mm"])
        self.origin_mm: tuple[float, float, float] = tuple(raw["origin_mm"])
        self.direction: np.ndarray = np.asarray(raw["direction"], dtype=np.float64)
        self.affine: np.ndarray = np.asarray(raw["affine"], dtype=np.float64)
        #: What loading noticed (rounded rescale, interpolated slices …).
        self.warnings: list[str] = list(raw["warnings"])
        #: ``(origin, reason)`` of slices that could not be decoded.
        self.skipped: list[tuple[str, str]] = list(raw["skipped"])

    @property
    def affine_ras(self) -> np.ndarray:
        """Voxel ``(i, j, k, 1)`` → RAS mm, as nibabel and NIfTI use."""
        return np.diag([-1.0, -1.0, 1.0, 1.0]) @ self.affine

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.hu.shape

    def to_sitk(self):
        """The CT as a ``SimpleITK.Image`` (LPS, as ITK), masks not included."""
        import SimpleITK as sitk

        image = sitk.GetImageFromArray(self.hu)
        image.SetSpacing(self.spacing_mm)
        image.SetOrigin(self.origin_mm)
        # ITK's direction matrix has the axis directions as columns.
        image.SetDirection(tuple(self.direction.T.flatten()))
        return image

    def mask_to_sitk(self, name: str):
        """Mask ``name`` as a ``SimpleITK.Image`` (uint8 0/1) on the CT's grid."""
        import SimpleITK as sitk

        image = sitk.GetImageFromArray(self.masks[name].astype(np.uint8))
        image.SetSpacing(self.spacing_mm)
        image.SetOrigin(self.origin_mm)
        image.SetDirection(tuple(self.direction.T.flatten()))
        return image

    def to_nibabel(self):
        """The CT as a ``nibabel.Nifti1Image`` (x, y, z order, RAS affine)."""
        import nibabel as nib

        image = nib.Nifti1Image(np.ascontiguousarray(self.hu.transpose(2, 1, 0)), self.affine_ras)
        image.header.set_xyzt_units("mm")
        return image

    def view(self, structure: str | None = None, window: str | None = None, max_voxels: int | None = None):
        """The interactive viewer in the notebook; see :meth:`Patient.view`. Images of more
        than ``max_voxels`` voxels (default 2**24) are sent to the page every 2nd (4th …) column
        and row."""
        from .viewer import MAX_VOXELS, view_image

        return view_image(self, structure=structure, window=window, max_voxels=max_voxels or MAX_VOXELS)

    def __repr__(self) -> str:
        z, y, x = self.hu.shape
        s = self.spacing_mm
        return (
            f"<Image {self.label}: {x}×{y}×{z} voxels of {s[0]:.3g}×{s[1]:.3g}×{s[2]:.3g} mm; "
            f"masks: {', '.join(self.masks) or 'none'}>"
        )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


class Result:
    """A JSON object of ``stats.json`` with its fields as attributes (``p.tumor_count``,
    ``p.tumors[0].volume_ml``); ``to_dict()`` gives the plain dict back."""

    def __init__(self, data: dict[str, Any]):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self._data[name])
        except KeyError:
            raise AttributeError(
                f"no field `{name}`; the fields are: {', '.join(self._data)}"
            ) from None

    def __getitem__(self, name: str) -> Any:
        return _wrap(self._data[name])

    def __dir__(self) -> list[str]:
        return list(self._data) + ["to_dict"]

    def to_dict(self) -> dict[str, Any]:
        return self._data

    def __repr__(self) -> str:
        d = self._data
        if "tumor_count" in d and "patient" in d:
            burden = d.get("tumor_burden_pct")
            burden = f", burden {burden:.2f} %" if burden is not None else ""
            return f"<Result {d['patient']}: {d['tumor_count']} tumor(s), {d['tumor_volume_ml']:.2f} mL{burden}>"
        if "volume_ml" in d and "id" in d:
            return f"<Tumor {d['id']}: {d['volume_ml']:.2f} mL, long axis {d['axial_diameter_mm']:.1f} mm>"
        return f"<Result {', '.join(list(d)[:6])}{' …' if len(d) > 6 else ''}>"


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Result(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def analyze(
    *paths: PathLike,
    connectivity: int = 26,
    min_volume_ml: float = 0.0,
    tumor_masks: list[str] | None = None,
    vessel_margin_mm: float = 10.0,
    thumbnails: bool = False,
    radiomics: bool = False,
    radiomics_bin_width: float = 25.0,
    radiomics_bin_count: int | None = None,
    radiomics_structures: list[str] | None = None,
    radiomics_classes: list[str] | None = None,
    **limits: Any,
) -> "Analysis":
    """Scans ``paths`` and measures every exam as ``tumorscope analyze`` does: tumours are the
    ``connectivity``-connected components (6, 18 or 26) of the union of the tumour masks;
    those under ``min_volume_ml`` are dropped; ``tumor_masks`` replaces the name rules;
    tumours closer than ``vessel_margin_mm`` to a vessel are flagged. ``thumbnails`` draws the
    report's tumour pictures (for :meth:`Analysis.write`). ``radiomics`` adds pyradiomics'
    features (its seven classes, its names, its defaults; bin width ``radiomics_bin_width`` HU,
    or ``radiomics_bin_count`` bins instead (pyradiomics ``binCount``);
    ``radiomics_classes`` such as ``["shape", "glcm"]`` to compute fewer) as
    ``tumor.radiomics`` and ``radiomics.csv``; ``radiomics_structures`` (``["liver"]``) adds
    them for those structures too (``organ.radiomics``)."""
    return scan(*paths, **limits).analyze(
        connectivity=connectivity,
        min_volume_ml=min_volume_ml,
        tumor_masks=tumor_masks,
        vessel_margin_mm=vessel_margin_mm,
        thumbnails=thumbnails,
        radiomics=radiomics,
        radiomics_bin_width=radiomics_bin_width,
        radiomics_bin_count=radiomics_bin_count,
        radiomics_structures=radiomics_structures,
        radiomics_classes=radiomics_classes,
    )


class Analysis:
    """Measured exams: ``patients`` (one :class:`Result` per exam, the ``stats.json`` fields
    as attributes), ``cohort``, ``skipped``; ``to_pandas()`` and ``write(dir)``."""

    def __init__(self, native: Any):
        self._native = native
        self._doc = json.loads(native.stats_json())
        self.patients: list[Result] = [Result(p) for p in self._doc["patients"]]
        self.cohort: Result = Result(self._doc["cohort"])
        self.skipped: list[tuple[str, str]] = [
            (s["origin"], s["reason"]) for s in self._doc["skipped"]
        ]
        if self.skipped:
            import warnings

            for origin, reason in self.skipped:
                warnings.warn(f"skipped {origin}: {reason}", stacklevel=3)

    @property
    def stats(self) -> dict[str, Any]:
        """The whole ``stats.json`` document."""
        return self._doc

    def to_pandas(self):
        """``(patients, tumors)`` as ``pandas.DataFrame``s, the columns of ``patients.csv`` and
        ``tumors.csv`` (arrays split per axis)."""
        import pandas as pd

        rows = []
        tumors = []
        for p in self._doc["patients"]:
            row = {k: v for k, v in p.items() if not isinstance(v, (list, dict))}
            row["recist_targets"] = p["recist"]["targets"]
            row["recist_sum_mm"] = p["recist"]["sum_of_diameters_mm"]
            rows.append(row)
            for t in p["tumors"]:
                flat = {"patient": p["patient"]}
                for k, v in t.items():
                    if isinstance(v, list) and len(v) == 3 and all(isinstance(x, (int, float)) for x in v):
                        axes = "xyz" if k.endswith("_mm") else "ijk"
                        for a, x in zip(axes, v):
                            flat[f"{k}_{a}"] = x
                    elif k == "sources":
                        flat[k] = ";".join(v)
                    elif not isinstance(v, (list, dict)):
                        flat[k] = v
                tumors.append(flat)
        return pd.DataFrame(rows), pd.DataFrame(tumors)

    def write(self, dir: PathLike) -> Path:
        """Writes ``stats.json``, ``patients.csv``, ``tumors.csv`` and ``report.html`` (as the
        CLI does) into ``dir``; returns the page's path."""
        self._native.write(os.fspath(dir))
        return Path(dir) / "report.html"

    def __repr__(self) -> str:
        c = self._doc["cohort"]
        return (
            f"<tumorscope.Analysis: {c['patients']} patient(s), {c['lesions']} tumor(s), "
            f"{len(self.skipped)} skipped>"
        )


class Table(list):
    """Rows (dicts) with ``to_pandas()``."""

    def to_pandas(self):
        import pandas as pd

        return pd.DataFrame(list(self))


def metadata(*paths: PathLike, include_phi: bool = False, **limits: Any) -> Table:
    """One row per series describing it (patient, study, scanner, geometry, encoding), names,
    IDs, birth dates and institutions pseudonymised as ``tumorscope metadata`` does unless
    ``include_phi``."""
    return scan(*paths, **limits).metadata(include_phi=include_phi)


def demo(dir: PathLike, patients: int = 6, seed: int | None = None) -> Path:
    """Writes the demo cohort (synthetic CT with exactly known tumours, in the 3D-IRCADb
    layout) into ``dir`` and returns it."""
    _native.demo(os.fspath(dir), patients, seed)
    return Path(dir)


def show(hu: np.ndarray, masks: dict[str, np.ndarray] | None = None, spacing_mm=(1.0, 1.0, 1.0), window: str | None = None):
    """The notebook viewer for arrays from anywhere: ``hu`` (z, y, x) in HU, ``masks``
    ``{name: bool (z, y, x)}``, ``spacing_mm`` (x, y, z)."""
    from .viewer import view_arrays

    return view_arrays(hu, masks or {}, spacing_mm, window=window)
