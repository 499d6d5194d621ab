// The DragDiffusion edit as an engine job: load the model, pick the work region (drag_geometry.h),
// LoRA on the work image (cached: drag_lora_cache.h), DDIM inversion, latent optimisation with a
// live preview after every step, mutual-self-attention denoise, decode, paste back. Torch-free
// header (the UI submits the job).
//
// Stages reported: "Loading model", "Training LoRA", "Inverting", "Dragging", "Denoising",
// "Decoding". Stop (JobQueue::requestStop) ends LoRA training or the drag early and keeps what was
// done: the denoise still runs and the result arrives. Cancel throws at the next step: no result.
//
// Result: JobResult.image is the edited crop composited over the original (CV_8UC3 RGB) placed at
// JobResult.placement; pixels where the paste alpha is 0 equal the input bit for bit. params:
// {"tool": "drag", "method": "dragdiffusion", "model", "prompt", "points": [[hx, hy, tx, ty], ...],
//  "params": DragParams::toJson(), "region": {"crop": [x, y, w, h], "work": [w, h], "grid": [w, h]},
//  "lora": {"source": "trained"|"cache"|"file"|"none"|"partial", "steps_run", "key"},
//  "drag": {"steps_run", "reached", "stopped", "handles": [[x, y], ...] (tracked, document pixels)},
//  "seconds": {...}}.
#pragma once
#include "engine/pipelines/drag_request.h"
#include "engine/runtime/job.h"

namespace latentshop {

// A JobSpec of kind "drag" running runDragJob on a copy of `request`.
JobSpec makeDragJob(DragRequest request);

// Runs the edit inside a job (the worker thread of the JobQueue, or a test's own JobContext).
JobResult runDragJob(JobContext& job, const DragRequest& request);

}  // namespace latentshop
