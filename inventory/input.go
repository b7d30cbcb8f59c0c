package inventory

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// What every loader shares about its input files: the error for bad input, and how one
// file named on the command line is read.

// MaxFileBytes is the largest snapshot file, --service-file or other input file read.
const MaxFileBytes = 64 << 20

// InputError is bad user input: an unreadable or unrecognisable file. Its message is one
// line naming the file (and line, where the parser gives one); the CLI exits 2 on it.
type InputError struct {
	Path string
	Line int
	Msg  string
}

// Error is the message: PATH[:LINE]: MSG.
func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// ReadInputFile reads one input file named on the command line (a service file, a
// Terraform plan): it must be a regular file of at most limit bytes. The error is an
// *InputError naming the file.
func ReadInputFile(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a FIFO blocks until something writes to it.
	if info, err := os.Stat(path); err != nil {
		return nil, &InputError{Path: path, Msg: OSErrorText(err)}
	} else if !info.Mode().IsRegular() {
		return nil, &InputError{Path: path, Msg: "not a regular file (a pipe, a device or a directory): refused"}
	}
	// O_NONBLOCK: should the name have become a FIFO since, opening still returns.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &InputError{Path: path, Msg: OSErrorText(err)}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &InputError{Path: path, Msg: OSErrorText(err)}
	}
	if !info.Mode().IsRegular() {
		return nil, &InputError{Path: path, Msg: "not a regular file (a pipe, a device or a directory): refused"}
	}
	if info.Size() > limit {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("%s is larger than the limit of %d MiB", SizeText(info.Size()), limit>>20)}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &InputError{Path: path, Msg: OSErrorText(err)}
	}
	if int64(len(data)) > limit {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("larger than the limit of %d MiB", limit>>20)}
	}
	return data, nil
}

// SizeText is a file size for messages: MiB, or bytes below one MiB.
func SizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// OSErrorText is a file system error without the path that the message names already:
// "no such file or directory", "permission denied", or the system's own text.
func OSErrorText(err error) string {
	switch {
	case os.IsNotExist(err):
		return "no such file or directory"
	case os.IsPermission(err):
		return "permission denied"
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}
