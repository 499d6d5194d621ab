// Process-level settings that must be in place before libgomp starts (it reads its environment
// once, when the library loads). On a 2-core desktop, OpenMP worker threads that spin-wait after
// each parallel region steal the core the GUI thread needs while a job runs; a passive wait policy
// keeps the interface responsive at a small cost in throughput.
#pragma once

namespace latentshop {

// If OMP_WAIT_POLICY is unset, sets it to PASSIVE and re-executes the current program with the
// same arguments (/proc/self/exe), so libgomp sees it. Returns normally when nothing needed doing
// or the re-exec failed (then the program simply runs with the default policy).
// Call first thing in main(). Set LATENTSHOP_NO_REEXEC=1 to disable.
void ensurePassiveOpenMpWait(int argc, char** argv);

}  // namespace latentshop
