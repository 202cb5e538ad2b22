#!/usr/bin/env python3
"""Scale of the batch commands (issue 13): `merge` of N patient results and `plan` over an
N-patient cohort, wall time and peak memory of each process (release binary).

merge: a small real run (phantom cohort of --seed-patients patients: plan, run) is replicated
into a plan of N units, each with its own key and result file, then merged.
plan:  N tiny patients (generic DICOM layout, two 16x16 CT slices and a two-slice liver mask
       each, written with pydicom), planned.

    cargo build --release --bin tumorscope
    python3 bench/batch_scale.py --patients 10000
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import tumorscope_binary  # noqa: E402

CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def measured(argv, cwd):
    """(seconds, peak RSS in MB) of one process, which must succeed (or exit 1: skipped)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{argv} exited {code}: {proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def merge_scale(exe, n, seed_patients, work):
    subprocess.run([exe, "demo", "-q", "--patients", str(seed_patients), "--out", "seed"],
                   cwd=work, check=True, capture_output=True)
    subprocess.run([exe, "plan", "-q", "seed/data", "--out", "small", "--no-thumbnails"],
                   cwd=work, check=True, capture_output=True)
    small = json.loads((work / "small/plan.json").read_text())
    for i in range(small["tasks"]):
        subprocess.run([exe, "run", "-q", "small", "--shard-index", str(i)], cwd=work, check=True,
                       capture_output=True)
    results = sorted((work / "small/results").iterdir())
    seeds = [json.loads(p.read_text()) for p in results]
    big = copy.deepcopy(small)
    big["units"] = []
    (work / "big/results").mkdir(parents=True)
    # result_path: the key made safe, then the first 4 bytes of its SHA-256.
    import hashlib
    for i in range(n):
        key = f"P{i:06d}"
        seed = seeds[i % len(seeds)]
        unit = copy.deepcopy(small["units"][i % len(small["units"])])
        unit["key"] = key
        big["units"].append(unit)
        result = copy.deepcopy(seed)
        result["key"] = key
        for exam in result["exams"]:
            exam["stats"]["patient"] = key
            exam["study"]["patient"] = key
        short = hashlib.sha256(key.encode()).hexdigest()[:8]
        (work / f"big/results/{key}-{short}.json").write_text(json.dumps(result))
    big["tasks"] = n
    (work / "big/plan.json").write_text(json.dumps(big))
    return measured([exe, "merge", "-q", "big"], work)


def tiny_patient(folder, n):
    """Patient n: two CT slices and a two-slice liver mask (its own series), 16x16."""
    study, frame = generate_uid(), generate_uid()
    for series_kind, description in (("ct", "CT"), ("liver", "liver")):
        series = generate_uid()
        for k in range(2):
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = CT_STORAGE
            meta.MediaStorageSOPInstanceUID = generate_uid()
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
            ds.SOPClassUID, ds.SOPInstanceUID = CT_STORAGE, meta.MediaStorageSOPInstanceUID
            ds.PatientID, ds.PatientName = f"P{n:06d}", f"P{n:06d}"
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
            ds.Modality, ds.SeriesDescription, ds.InstanceNumber = "CT", description, k + 1
            ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 2.0 * k], [1, 0, 0, 0, 1, 0]
            ds.PixelSpacing, ds.SliceThickness = [1, 1], 2
            ds.Rows = ds.Columns = 16
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
            ds.RescaleIntercept, ds.RescaleSlope = 0, 1
            pixels = np.full((16, 16), 40 if series_kind == "ct" else 0, dtype=np.int16)
            if series_kind == "liver":
                pixels[4:12, 4:12] = 255
            ds.PixelData = pixels.tobytes()
            out = folder / series_kind
            out.mkdir(parents=True, exist_ok=True)
            ds.save_as(out / f"{k}.dcm", enforce_file_format=True)


def plan_scale(exe, n, work):
    cohort = work / "cohort"
    started = time.perf_counter()
    for i in range(n):
        tiny_patient(cohort / f"p{i:06d}", i)
    made = time.perf_counter() - started
    seconds, mb = measured([exe, "plan", "-q", "cohort", "--out", "plan"], work)
    units = len(json.loads((work / "plan/plan.json").read_text())["units"])
    return seconds, mb, units, made


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10000)
    parser.add_argument("--seed-patients", type=int, default=3)
    args = parser.parse_args()
    exe = tumorscope_binary()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        s, mb = merge_scale(exe, args.patients, args.seed_patients, work)
        print(f"merge of {args.patients} patient results: {s:.2f} s, peak {mb:.0f} MB")
        s, mb, units, made = plan_scale(exe, args.patients, work)
        print(f"plan over {units} patients ({4 * args.patients} files, written in {made:.0f} s): "
              f"{s:.2f} s, peak {mb:.0f} MB")


if __name__ == "__main__":
    main()
