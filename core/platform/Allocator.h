#pragma once

namespace si::platform {

// Tunes glibc's allocator for moving many sessions through several threads: buffers of a few
// megabytes (Redis pipelines, SQL result sets, batches of envelopes) are allocated and freed many
// times a second. By default glibc serves each from a fresh mmap, or trims the heap under it, and
// returns the pages when freed, so every batch pays page faults and zeroing in the kernel, and its
// adaptive threshold made run times vary by half (`sessionctl seed` of 100,000 sessions: 10-18 s,
// with this 7 s). With a fixed mmap threshold of 32 MB and up to 256 MB of free memory kept per
// arena they are reused instead. For command-line work that ends when the command does (sessionctl,
// the benchmarks); the desktop inspector keeps glibc's defaults, which give memory back. Does
// nothing on other C libraries. Call first in main(), before threads start.
void tuneAllocatorForBulkWork();

} // namespace si::platform
