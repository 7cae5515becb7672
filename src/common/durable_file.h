// Durable, private file I/O: key material at rest (master key, sealed key blobs), the credentials
// and endpoint files, bucket objects. Pure functions over the file system; thread-safe as far as
// the file system is. Nothing here ever puts file contents into a Status message.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca {

// Creates `path` with open(O_CREAT|O_EXCL, 0600), writes `data`, fsyncs the file and its
// directory. Errors: kRequestAlreadyProcessed when the file already exists; kInternal (I/O).
Status CreatePrivateFileDurably(const std::string& path, std::span<const uint8_t> data);

// Replaces `path` atomically: writes a 0600 temp file ".tmp-<random hex>" in the same directory,
// fsyncs, renames over `path`, fsyncs the directory. A reader sees the old or the new content,
// never a mix; after a crash a ".tmp-" file may be left behind (directory listings that matter
// skip that prefix). The directory must exist. Errors: kInternal (I/O).
Status WritePrivateFileAtomically(const std::string& path, std::span<const uint8_t> data);

// Reads a whole regular file of at most `max_size` bytes (symlinks are not followed). When
// `require_private` is set, refuses a file readable or writable by group/other.
// Errors: kResourceNotFound (no such file), kInvalidArgs (not a regular file, too large, mode too
// open), kInternal (I/O).
Result<Bytes> ReadPrivateFile(const std::string& path, size_t max_size, bool require_private);

// Removes `path` and fsyncs its directory. Errors: kResourceNotFound, kInternal.
Status RemoveFileDurably(const std::string& path);

// Creates `dir` with mode 0700 if missing. An existing directory must not be writable by group or
// other. Errors: kInvalidArgs (not a directory, mode too open), kInternal.
Status EnsurePrivateDirectory(const std::string& dir);

// fsync() on a directory so that a create/rename/unlink in it is durable. Errors: kInternal.
Status FsyncDirectory(const std::string& dir);

}  // namespace openpca
