"""Generate the Python code of the protos, or check that the committed code is fresh.

The protos live in protos/dutyline/<area>/v1/ and are compiled with --proto_path=protos, so the
generated modules land in dutyline/<area>/v1/ and import each other by package path.

Limits are declared in the protos with protovalidate's annotations (buf/validate/validate.proto).
That file comes from the protovalidate package itself (its compiled descriptor, handed to protoc as
a descriptor set), so the rules we declare are the ones its validator enforces; its Python module is
generated into buf/validate/ beside ours.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[2]
PROTOS = ROOT / "protos"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


VALIDATE = "buf/validate/validate.proto"


def proto_files() -> list[Path]:
    return sorted(PROTOS.rglob("*.proto"))


def _validate_descriptor_set(path: Path) -> None:
    """buf/validate/validate.proto as the installed protovalidate compiled it."""
    from google.protobuf import descriptor_pb2
    from protovalidate._gen.buf.validate import validate_pb

    files = descriptor_pb2.FileDescriptorSet()
    files.file.add().ParseFromString(validate_pb.desc().proto.to_binary())
    path.write_bytes(files.SerializeToString())


def generate(out_dir: Path) -> None:
    include = str(resources.files("grpc_tools") / "_proto")
    with tempfile.TemporaryDirectory() as tmp:
        validate_set = Path(tmp) / "validate.pb"
        _validate_descriptor_set(validate_set)
        args = [
            "grpc_tools.protoc",
            f"--descriptor_set_in={validate_set}",
            f"--proto_path={PROTOS}",
            f"--proto_path={include}",
            f"--python_out={out_dir}",
            f"--pyi_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            *(str(p.relative_to(PROTOS)) for p in proto_files()),
            VALIDATE,
        ]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
    # Packages for the generated modules (dutyline/ itself is the runtime package).
    for proto in [*proto_files(), PROTOS / VALIDATE]:
        package_dir = out_dir / proto.relative_to(PROTOS).parent
        for directory in (package_dir, package_dir.parent):
            init = directory / "__init__.py"
            if not init.exists():
                init.write_text('"""Generated from protos/ by `make proto`; do not edit."""\n')


def generated_files(base: Path) -> set[Path]:
    found: set[Path] = set()
    for proto in [*proto_files(), PROTOS / VALIDATE]:
        area = proto.relative_to(PROTOS).parent
        for path in (base / area).glob("*"):
            if path.name.endswith(GENERATED_SUFFIXES) or path.name == "__init__.py":
                found.add(path.relative_to(base))
        found.add(area.parent / "__init__.py")
    return found


def check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        expected = generated_files(fresh)
        committed = generated_files(ROOT)
        stale = sorted(
            str(p)
            for p in expected | committed
            if not (ROOT / p).exists()
            or not (fresh / p).exists()
            or not filecmp.cmp(ROOT / p, fresh / p, shallow=False)
        )
    if stale:
        print("Generated protobuf code is stale; run `make proto` and commit:", *stale, sep="\n  ")
        return 1
    print(f"Generated protobuf code is fresh ({len(expected)} files).")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed code is stale")
    if parser.parse_args().check:
        return check()
    generate(ROOT)
    print("Generated protobuf code in dutyline/<area>/v1/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
