import io
import os
import stat
import struct
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest

from algorithms.packages import (
    MB,
    Limits,
    Manifest,
    PackageError,
    PackageFile,
    extract_package,
    find_boot_file,
    inspect_package,
)

TRAIN = b"print('training')\n"


# --- builders ------------------------------------------------------------------------------


def make_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are written on purpose
        for name, data in members:
            zf.writestr(name, data)
    return path


def make_tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]], **kw: object) -> Path:
    with tarfile.open(path, "w:gz", **kw) as tf:  # type: ignore[call-overload]
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tf.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


def tar_entry(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def zip_symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix, so the high 16 bits of external_attr are a st_mode
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def set_declared_size(path: Path, size: int) -> None:
    """Rewrite the uncompressed size of the (only) member in the central directory."""
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


def zip_bomb(path: Path, megabytes: int) -> Path:
    return make_zip(path, [("bomb.bin", b"\0" * (megabytes * MB))])


# --- good packages -------------------------------------------------------------------------


def test_good_zip_is_inspected_and_extracted(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("train.py", TRAIN), ("lib/util.py", b"x = 1\n")])

    manifest = inspect_package(src)
    assert manifest == Manifest(
        "zip", (PackageFile("train.py", len(TRAIN)), PackageFile("lib/util.py", 6))
    )

    out = tmp_path / "out"
    assert extract_package(src, out) == manifest
    assert (out / "train.py").read_bytes() == TRAIN
    assert (out / "lib" / "util.py").read_bytes() == b"x = 1\n"


def test_good_tar_gz_upload_keeps_executable_bit(tmp_path: Path) -> None:
    script = tarfile.TarInfo("proj/run.sh")
    script.size, script.mode = 3, 0o755
    src = tmp_path / "pkg.tgz"
    with tarfile.open(src, "w:gz") as tf:
        tf.addfile(tar_entry("proj", tarfile.DIRTYPE))
        tf.addfile(script, io.BytesIO(b"ls\n"))
        info = tarfile.TarInfo("proj/train.py")
        info.size = len(TRAIN)
        tf.addfile(info, io.BytesIO(TRAIN))

    with open(src, "rb") as upload:  # a file object, as an upload arrives
        manifest = extract_package(upload, tmp_path / "out")

    assert manifest.kind == "tar"
    assert manifest.paths == ["proj/run.sh", "proj/train.py"]
    assert (tmp_path / "out/proj/train.py").read_bytes() == TRAIN
    assert os.stat(tmp_path / "out/proj/run.sh").st_mode & 0o100
    assert not os.stat(tmp_path / "out/proj/train.py").st_mode & 0o111


def test_single_py_upload_without_a_useful_name(tmp_path: Path) -> None:
    upload = io.BytesIO(TRAIN)

    manifest = inspect_package(upload, filename="train.py")
    assert manifest == Manifest("py", (PackageFile("train.py", len(TRAIN)),))

    extract_package(upload, tmp_path / "out", filename="train.py")
    assert (tmp_path / "out" / "train.py").read_bytes() == TRAIN
    assert not upload.closed  # the caller's object stays usable


def test_archive_type_is_sniffed_when_the_name_has_no_suffix(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("train.py", TRAIN)])
    stored = src.rename(tmp_path / "3f9a0c")  # e.g. a storage key

    assert inspect_package(stored).kind == "zip"


def test_mac_resource_folders_and_caches_are_skipped(tmp_path: Path) -> None:
    src = make_zip(
        tmp_path / "pkg.zip",
        [
            ("proj/train.py", TRAIN),
            ("__MACOSX/proj/._train.py", b"junk"),
            ("proj/__pycache__/train.cpython-311.pyc", b"junk"),
        ],
    )

    manifest = inspect_package(src)

    assert manifest.paths == ["proj/train.py"]
    assert manifest.top_folder == "proj"


def test_wrong_content_for_suffix_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "pkg.zip"
    fake.write_bytes(b"not a zip at all")

    with pytest.raises(PackageError, match="not a valid .zip"):
        inspect_package(fake)


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="Unsupported package type"):
        inspect_package(io.BytesIO(b"hello"), filename="notes.txt")


# --- unsafe names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.py", "Archive member '../evil.py' escapes the package folder"),
        ("ok/../../evil.py", "escapes the package folder"),
        ("..\\evil.py", "escapes the package folder"),
        ("/etc/x", "Archive member '/etc/x' is an absolute path"),
        ("C:\\Windows\\x.py", "is an absolute path"),
        ("C:x.py", "is an absolute path"),
        ("bad\nname.py", "control characters"),
    ],
)
def test_zip_with_unsafe_member_name_is_refused(tmp_path: Path, name: str, message: str) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("train.py", TRAIN), (name, b"x")])

    with pytest.raises(PackageError, match=message.replace("\\", "\\\\").replace(".", r"\.")):
        inspect_package(src)


def test_extraction_of_traversal_archive_writes_nothing_outside(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("train.py", TRAIN), ("../evil.py", b"x")])
    out = tmp_path / "deep" / "out"

    with pytest.raises(PackageError, match="escapes"):
        extract_package(src, out)

    assert not (tmp_path / "deep" / "evil.py").exists()
    assert not out.exists()  # created by the call, removed on failure


def test_tar_with_absolute_member_is_refused(tmp_path: Path) -> None:
    src = make_tar(tmp_path / "pkg.tar.gz", [("/etc/x", b"x")])

    with pytest.raises(PackageError, match="'/etc/x' is an absolute path"):
        inspect_package(src)


def test_duplicate_member_is_refused(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("train.py", TRAIN), ("./train.py", b"other")])

    with pytest.raises(PackageError, match="appears more than once"):
        inspect_package(src)


def test_member_that_is_both_file_and_folder_is_refused(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("lib", b"x"), ("lib/util.py", b"y")])

    with pytest.raises(PackageError, match="'lib/util.py' is both a file and a folder"):
        inspect_package(src)


# --- links and special files ---------------------------------------------------------------


def test_zip_with_symlink_is_refused(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("train.py", TRAIN), zip_symlink("data", "/etc")])

    with pytest.raises(PackageError, match="'data' is a symbolic link"):
        inspect_package(src)


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (tar_entry("data", tarfile.SYMTYPE, "/etc/passwd"), "'data' is a symbolic link"),
        (tar_entry("copy.py", tarfile.LNKTYPE, "train.py"), "'copy.py' is a hard link"),
        (tar_entry("tty", tarfile.CHRTYPE), "'tty' is a device or special file"),
        (tar_entry("disk", tarfile.BLKTYPE), "'disk' is a device or special file"),
        (tar_entry("pipe", tarfile.FIFOTYPE), "'pipe' is a device or special file"),
    ],
)
def test_tar_with_link_or_device_is_refused(
    tmp_path: Path, member: tarfile.TarInfo, message: str
) -> None:
    src = make_tar(tmp_path / "pkg.tar.gz", [("train.py", TRAIN), member])

    with pytest.raises(PackageError, match=message):
        inspect_package(src)
    with pytest.raises(PackageError, match=message):
        extract_package(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- sizes and counts ----------------------------------------------------------------------


def test_zip_with_ten_thousand_files_is_refused(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "many.zip", [(f"f{i}.py", b"") for i in range(10_000)])

    with pytest.raises(PackageError, match="more than 2000 files"):
        inspect_package(src)


def test_compressible_bomb_is_refused_from_headers(tmp_path: Path) -> None:
    src = zip_bomb(tmp_path / "bomb.zip", megabytes=4)
    assert src.stat().st_size < 64 * 1024

    limits = Limits(max_total_bytes=1 * MB)
    with pytest.raises(PackageError, match="larger than 1 MB uncompressed.*'bomb.bin'"):
        inspect_package(src, limits)
    with pytest.raises(PackageError, match="'bomb.bin' is 4 MB uncompressed"):
        inspect_package(src, Limits(max_file_bytes=1 * MB))


def test_header_claiming_one_gigabyte_is_refused_with_default_limits(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "claim.zip", [("bomb.bin", b"\0" * 1024)])
    set_declared_size(src, 1024 * MB)

    with pytest.raises(PackageError, match="'bomb.bin' is 1 GB uncompressed"):
        inspect_package(src)


def test_bomb_whose_header_lies_is_stopped_while_extracting(tmp_path: Path) -> None:
    src = zip_bomb(tmp_path / "liar.zip", megabytes=4)
    set_declared_size(src, 100)  # the header now looks harmless
    assert inspect_package(src).total_size == 100

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PackageError):
        extract_package(src, out)

    assert list(out.iterdir()) == []  # an existing folder is emptied, not removed


def test_tar_bomb_hidden_in_headers_is_stopped_while_reading(tmp_path: Path) -> None:
    # Each pax header is under the per-header bound; together they pass the byte budget.
    src = tmp_path / "pax.tar.gz"
    with tarfile.open(src, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for n in range(80):
            info = tarfile.TarInfo(f"f{n}.py")
            info.size = len(TRAIN)
            info.pax_headers = {"comment": "x" * (60 * 1024)}
            tf.addfile(info, io.BytesIO(TRAIN))

    with pytest.raises(PackageError, match="larger than 1 MB uncompressed"):
        inspect_package(src, Limits(max_files=100, max_total_bytes=1 * MB))


def _peak_kb() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def test_huge_pax_header_within_the_size_budget_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    # 150 MiB of pax comment compresses to about 150 KB and is under the default 200 MB
    # budget: only a bound on the header itself stops tarfile from reading and parsing it.
    info = tarfile.TarInfo("train.py")
    info.size = len(TRAIN)
    info.pax_headers = {"comment": "x" * (150 * MB)}
    src = tmp_path / "pax.tar.gz"
    with tarfile.open(src, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(info, io.BytesIO(TRAIN))
    del info
    assert src.stat().st_size < 300 * 1024
    before = _peak_kb()

    with pytest.raises(PackageError, match="metadata header"):
        inspect_package(src, Limits())
    assert _peak_kb() - before < 50 * 1024  # the peak did not move by a header's worth


def test_long_gnu_name_header_is_bounded(tmp_path: Path) -> None:
    info = tarfile.TarInfo("d/" * 40000 + "train.py")  # an 80 KB GNU long name
    info.size = len(TRAIN)
    src = tmp_path / "long.tar.gz"
    with tarfile.open(src, "w:gz", format=tarfile.GNU_FORMAT) as tf:
        tf.addfile(info, io.BytesIO(TRAIN))

    with pytest.raises(PackageError, match="metadata header"):
        inspect_package(src, Limits())


def test_per_file_limit_applies_to_single_py(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="'train.py' is 2 KB uncompressed"):
        inspect_package(io.BytesIO(b"#" * 2048), Limits(max_file_bytes=1024), filename="train.py")


def test_extract_refuses_non_empty_destination(tmp_path: Path) -> None:
    src = make_zip(tmp_path / "pkg.zip", [("train.py", TRAIN)])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")

    with pytest.raises(FileExistsError):
        extract_package(src, tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_corrupt_archive_is_reported(tmp_path: Path) -> None:
    good = make_tar(tmp_path / "pkg.tar.gz", [("train.py", TRAIN * 1000)])
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[:-40])

    with pytest.raises(PackageError, match="corrupt or truncated"):
        extract_package(cut, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- server folders ------------------------------------------------------------------------


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    (allowed / "proj" / "src").mkdir(parents=True)
    (allowed / "proj" / "src" / "train.py").write_bytes(TRAIN)
    (allowed / "proj" / ".git").mkdir()
    (allowed / "proj" / ".git" / "HEAD").write_text("ref")
    outside.mkdir()
    (outside / "secret.py").write_text("key = 1")
    return allowed, outside


def test_folder_inside_allowed_root_is_copied(tmp_path: Path, roots: tuple[Path, Path]) -> None:
    allowed, _ = roots

    manifest = extract_package(allowed / "proj", tmp_path / "out", allowed_roots=[allowed])

    assert manifest == Manifest("folder", (PackageFile("src/train.py", len(TRAIN)),))
    assert (tmp_path / "out" / "src" / "train.py").read_bytes() == TRAIN
    assert not (tmp_path / "out" / ".git").exists()


def test_folder_outside_allowed_roots_is_refused(roots: tuple[Path, Path]) -> None:
    allowed, outside = roots

    with pytest.raises(PackageError, match="outside the folders allowed"):
        inspect_package(outside, allowed_roots=[allowed])


def test_folder_path_with_dotdot_is_refused(roots: tuple[Path, Path]) -> None:
    allowed, _ = roots

    with pytest.raises(PackageError, match="must not contain '..'"):
        inspect_package(f"{allowed}/proj/../../outside", allowed_roots=[allowed])


def test_symlink_escaping_allowed_root_is_refused(roots: tuple[Path, Path]) -> None:
    allowed, outside = roots
    (allowed / "link").symlink_to(outside, target_is_directory=True)

    with pytest.raises(PackageError, match="outside the folders allowed"):
        inspect_package(allowed / "link", allowed_roots=[allowed])


def test_symlink_inside_folder_escaping_it_is_refused(
    tmp_path: Path, roots: tuple[Path, Path]
) -> None:
    allowed, outside = roots
    (allowed / "proj" / "secret.py").symlink_to(outside / "secret.py")

    with pytest.raises(PackageError, match="'secret.py' is a symbolic link that escapes"):
        extract_package(allowed / "proj", tmp_path / "out", allowed_roots=[allowed])
    assert not (tmp_path / "out").exists()


def test_folders_need_allowed_roots(roots: tuple[Path, Path]) -> None:
    allowed, _ = roots

    with pytest.raises(PackageError, match="not enabled"):
        inspect_package(allowed / "proj")
    with pytest.raises(PackageError, match="not enabled"):
        inspect_package(allowed / "proj", allowed_roots=[])


def test_relative_server_path_is_refused(roots: tuple[Path, Path]) -> None:
    allowed, _ = roots

    with pytest.raises(PackageError, match="must be absolute"):
        inspect_package("proj", allowed_roots=[allowed])


def test_archive_path_is_confined_like_a_folder(roots: tuple[Path, Path]) -> None:
    allowed, outside = roots
    make_zip(outside / "pkg.zip", [("train.py", TRAIN)])

    with pytest.raises(PackageError, match="outside the folders allowed"):
        inspect_package(outside / "pkg.zip", allowed_roots=[allowed])


# --- boot file -----------------------------------------------------------------------------


def manifest_of(*paths: str) -> Manifest:
    return Manifest("zip", tuple(PackageFile(p, 1) for p in paths))


def test_boot_file_found_at_root_or_in_subfolder() -> None:
    manifest = manifest_of("train.py", "src/model.py")

    assert find_boot_file(manifest, "train.py") == "train.py"
    assert find_boot_file(manifest, "./src\\model.py") == "src/model.py"


def test_boot_file_relative_to_single_top_folder() -> None:
    manifest = manifest_of("proj/train.py", "proj/src/model.py")

    assert find_boot_file(manifest, "train.py") == "proj/train.py"
    assert find_boot_file(manifest, "src/model.py") == "proj/src/model.py"
    assert find_boot_file(manifest, "proj/train.py") == "proj/train.py"


def test_missing_boot_file_lists_up_to_ten_suggestions() -> None:
    manifest = manifest_of(*(f"m{i:02}.py" for i in range(12)), "data.csv")

    with pytest.raises(PackageError) as caught:
        find_boot_file(manifest, "train.py")

    message = str(caught.value)
    assert "Boot file 'train.py' was not found" in message
    assert "m00.py, m01.py" in message and "m09.py" in message
    assert "m10.py" not in message and "(and 2 more)" in message


def test_missing_boot_file_without_python_files() -> None:
    with pytest.raises(PackageError, match="no Python files"):
        find_boot_file(manifest_of("data.csv"), "train.py")


@pytest.mark.parametrize(
    ("boot_file", "message"),
    [
        ("run.sh", "must be a Python file"),
        ("/abs/train.py", "relative to the code package"),
        ("../train.py", "must not contain"),
    ],
)
def test_bad_boot_file_names_are_refused(boot_file: str, message: str) -> None:
    with pytest.raises(PackageError, match=message):
        find_boot_file(manifest_of("train.py"), boot_file)


def test_folder_outside_allowed_roots_gets_one_message_whether_it_exists_or_not(
    roots: tuple[Path, Path],
) -> None:
    allowed, outside = roots
    messages = []
    for path in (outside, outside / "missing", outside / "secret.py"):
        with pytest.raises(PackageError) as info:
            inspect_package(path, allowed_roots=[allowed])
        messages.append(str(info.value).replace(str(path), "<path>"))
    assert messages[0] == messages[1] == messages[2]
    assert "outside the folders allowed" in messages[0]
