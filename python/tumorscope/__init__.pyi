import os
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import numpy as np

__version__: str

class Error(Exception): ...
class ScanError(Error): ...
class LoadError(Error): ...
class AnalysisError(Error): ...

PathLike = str | os.PathLike[str]

class Structure(NamedTuple):
    name: str
    role: str
    color_rgb: tuple[int, int, int] | None

def scan(
    *paths: PathLike,
    max_depth: int | None = ...,
    max_entries: int | None = ...,
    max_entry_mib: int | None = ...,
    max_total_mib: int | None = ...,
    follow_symlinks: bool = ...,
) -> Dataset: ...

class Dataset:
    patients: list[Patient]
    skipped: list[tuple[str, str]]
    ignored: dict[str, Any]
    @property
    def inventory(self) -> dict[str, Any]: ...
    def patient(self, label: str) -> Patient: ...
    def analyze(
        self,
        *,
        connectivity: int = ...,
        min_volume_ml: float = ...,
        tumor_masks: list[str] | None = ...,
        vessel_margin_mm: float = ...,
        thumbnails: bool = ...,
        radiomics: bool = ...,
        radiomics_bin_width: float = ...,
        radiomics_bin_count: int | None = ...,
        radiomics_structures: list[str] | None = ...,
        radiomics_classes: list[str] | None = ...,
    ) -> Analysis: ...
    def metadata(self, include_phi: bool = ...) -> Table: ...
    def to_pandas(self) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Patient]: ...

class Patient:
    label: str
    patient: str
    study_uid: str
    study_date: str
    layout: str
    series: dict[str, Any]
    structures: list[Structure]
    def load(self) -> Image: ...
    def analyze(
        self,
        *,
        connectivity: int = ...,
        min_volume_ml: float = ...,
        tumor_masks: list[str] | None = ...,
        vessel_margin_mm: float = ...,
        thumbnails: bool = ...,
        radiomics: bool = ...,
        radiomics_bin_width: float = ...,
        radiomics_bin_count: int | None = ...,
        radiomics_structures: list[str] | None = ...,
        radiomics_classes: list[str] | None = ...,
    ) -> Result: ...
    def render(
        self,
        plane: str = ...,
        index: int | None = ...,
        window: str = ...,
        overlay: str = ...,
        mip: bool = ...,
        annotations: bool = ...,
        scale: float = ...,
    ) -> np.ndarray: ...
    def view(self, structure: str | None = ..., window: str | None = ..., tumors: bool = ...) -> Any: ...

class Image:
    label: str
    hu: np.ndarray
    masks: dict[str, np.ndarray]
    roles: dict[str, str]
    spacing_mm: tuple[float, float, float]
    origin_mm: tuple[float, float, float]
    direction: np.ndarray
    affine: np.ndarray
    warnings: list[str]
    skipped: list[tuple[str, str]]
    @property
    def affine_ras(self) -> np.ndarray: ...
    @property
    def shape(self) -> tuple[int, int, int]: ...
    def to_sitk(self) -> Any: ...
    def mask_to_sitk(self, name: str) -> Any: ...
    def to_nibabel(self) -> Any: ...
    def view(self, structure: str | None = ..., window: str | None = ..., max_voxels: int | None = ...) -> Any: ...

class Result:
    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, name: str) -> Any: ...
    def to_dict(self) -> dict[str, Any]: ...

class Analysis:
    patients: list[Result]
    cohort: Result
    skipped: list[tuple[str, str]]
    @property
    def stats(self) -> dict[str, Any]: ...
    def to_pandas(self) -> tuple[Any, Any]: ...
    def write(self, dir: PathLike) -> Path: ...

class Table(list[dict[str, Any]]):
    def to_pandas(self) -> Any: ...

def analyze(
    *paths: PathLike,
    connectivity: int = ...,
    min_volume_ml: float = ...,
    tumor_masks: list[str] | None = ...,
    vessel_margin_mm: float = ...,
    thumbnails: bool = ...,
    radiomics: bool = ...,
    radiomics_bin_width: float = ...,
    radiomics_bin_count: int | None = ...,
    radiomics_structures: list[str] | None = ...,
    radiomics_classes: list[str] | None = ...,
    **limits: Any,
) -> Analysis: ...
def metadata(*paths: PathLike, include_phi: bool = ..., **limits: Any) -> Table: ...
def demo(dir: PathLike, patients: int = ..., seed: int | None = ...) -> Path: ...
def show(
    hu: np.ndarray,
    masks: dict[str, np.ndarray] | None = ...,
    spacing_mm: tuple[float, float, float] = ...,
    window: str | None = ...,
) -> Any: ...
