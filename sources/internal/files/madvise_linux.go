package files

import "syscall"

// adviseSequential tells the kernel a mapped window is read once, in order.
func adviseSequential(data []byte) { _ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL) }
