//go:build unix

package cli

import "syscall"

// openNoFollow makes the open of a report file fail when its last component is a symbolic
// link, even one created after writeFile looked.
const openNoFollow = syscall.O_NOFOLLOW
