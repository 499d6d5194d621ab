// Anchor translation unit of the precompiled-header target (see cmake/LatentshopTargets.cmake).
