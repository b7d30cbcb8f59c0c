//go:build !unix

package cli

// openNoFollow is zero where the platform has no O_NOFOLLOW; writeFile's Lstat still
// refuses a symbolic link.
const openNoFollow = 0
