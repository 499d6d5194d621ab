# libFuzzer harnesses (tests/fuzz), built when -DLATENTSHOP_FUZZ=ON (clang only).
#
# Only the fuzz targets are built in this mode: the engine sources the readers need are compiled
# once more, instrumented (-fsanitize=fuzzer-no-link,address,undefined), into one OBJECT library
# with its own clang precompiled torch header; the harnesses link with
# -fsanitize=fuzzer,address,undefined. libtorch, OpenCV, libzip, libpng, pugixml and ICU are linked
# as installed (not instrumented). The normal build (LATENTSHOP_FUZZ=OFF) never includes this file.
# How to run them: the "Fuzzing" section of README.md and tests/fuzz/run_fuzzers.sh.

if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "LATENTSHOP_FUZZ=ON needs clang (libFuzzer): configure a separate build folder with "
                      "-DCMAKE_CXX_COMPILER=clang++ (the compiler here is ${CMAKE_CXX_COMPILER_ID} "
                      "${CMAKE_CXX_COMPILER_VERSION})")
endif()

set(LATENTSHOP_FUZZ_SANITIZERS "address,undefined" CACHE STRING
    "Sanitizers the fuzz targets and the reader sources are built with (besides fuzzer)")
# UBSan findings abort (libFuzzer then saves the input) instead of printing and going on.
set(_fuzz_compile -fsanitize=fuzzer-no-link,${LATENTSHOP_FUZZ_SANITIZERS} -fno-sanitize-recover=all
    -fno-omit-frame-pointer -g)
set(_fuzz_link -fsanitize=fuzzer,${LATENTSHOP_FUZZ_SANITIZERS})

# The gcc-oriented torch PCH target of LatentshopTargets.cmake is not needed here.
if(TARGET latentshop_torch_pch)
  set_target_properties(latentshop_torch_pch PROPERTIES EXCLUDE_FROM_ALL ON)
endif()

set(_src "${PROJECT_SOURCE_DIR}/engine")
add_library(latentshop_fuzz_engine OBJECT
  # safetensors
  ${_src}/io/safetensors.cpp
  # ORA (+ what the reader needs: project model, PNG codec)
  ${_src}/io/ora_reader.cpp ${_src}/io/ora_zip.cpp ${_src}/io/ora_format.cpp ${_src}/io/project.cpp
  ${_src}/io/project_atomic_file.cpp ${_src}/io/png_text_codec.cpp
  ${_src}/io/decode_policy.cpp ${_src}/io/image_probe.cpp ${_src}/io/file_bytes.cpp
  # PNG parameters
  ${_src}/io/png_parameters.cpp
  # model_index.json / config.json readers
  ${_src}/io/diffusers_folder.cpp ${_src}/models/model_config_reader.cpp
  ${_src}/models/unet_2d_condition_config.cpp ${_src}/models/autoencoder_kl_config.cpp
  ${_src}/models/clip_text_model_config.cpp ${_src}/nn/activation.cpp
  ${_src}/schedulers/scheduler_config.cpp ${_src}/schedulers/ddim_scheduler.cpp
  ${_src}/schedulers/euler_discrete_scheduler.cpp ${_src}/schedulers/euler_ancestral_discrete_scheduler.cpp
  ${_src}/schedulers/dpm_solver_multistep_scheduler.cpp ${_src}/schedulers/dpm_solver_multistep_updates.cpp
  ${_src}/schedulers/pndm_scheduler.cpp
  ${_src}/schedulers/noise_schedule.cpp ${_src}/schedulers/numpy_compat.cpp ${_src}/schedulers/scheduler.cpp
  # CLIP tokenizer
  ${_src}/tokenizer/clip_tokenizer.cpp ${_src}/tokenizer/clip_vocabulary.cpp ${_src}/tokenizer/html_entities.cpp
  ${_src}/tokenizer/mojibake.cpp ${_src}/tokenizer/single_byte_codecs.cpp ${_src}/tokenizer/text_fixer.cpp
  ${_src}/tokenizer/unicode_text.cpp)
target_include_directories(latentshop_fuzz_engine PUBLIC "${PROJECT_SOURCE_DIR}")
target_include_directories(latentshop_fuzz_engine SYSTEM PUBLIC ${TORCH_INCLUDE_DIRS} ${OpenCV_INCLUDE_DIRS})
target_compile_definitions(latentshop_fuzz_engine PUBLIC LATENTSHOP_VERSION="${PROJECT_VERSION}")
target_compile_options(latentshop_fuzz_engine PRIVATE ${_fuzz_compile})
target_link_libraries(latentshop_fuzz_engine
  PUBLIC ${TORCH_LIBRARIES} ${OpenCV_LIBS} spdlog::spdlog nlohmann_json::nlohmann_json Threads::Threads
         PkgConfig::LIBZIP pugixml::pugixml PNG::PNG ZLIB::ZLIB ICU::uc ICU::i18n)
target_precompile_headers(latentshop_fuzz_engine PRIVATE
  <torch/torch.h> <opencv2/core.hpp> <opencv2/imgproc.hpp> <nlohmann/json.hpp> <spdlog/spdlog.h>
  <functional> <memory> <string> <vector> <map> <optional>)  # as the main build's PCH: some sources rely on it
latentshop_set_warnings(latentshop_fuzz_engine)

# One executable per tests/fuzz/fuzz_<name>.cpp.
file(GLOB _fuzz_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_*.cpp")
set(LATENTSHOP_FUZZ_TARGETS "")
foreach(_f IN LISTS _fuzz_sources)
  get_filename_component(_name "${_f}" NAME_WE)
  add_executable(${_name} "${_f}")
  target_link_libraries(${_name} PRIVATE latentshop_fuzz_engine)
  target_compile_options(${_name} PRIVATE ${_fuzz_compile})
  target_link_options(${_name} PRIVATE ${_fuzz_link})
  target_compile_definitions(${_name} PRIVATE LATENTSHOP_SHARED_DIR="${LATENTSHOP_SHARED_DIR}")
  latentshop_set_warnings(${_name})
  set_target_properties(${_name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/fuzz")
  list(APPEND LATENTSHOP_FUZZ_TARGETS ${_name})
endforeach()
add_custom_target(latentshop_fuzzers DEPENDS ${LATENTSHOP_FUZZ_TARGETS})
message(STATUS "Fuzz targets: ${LATENTSHOP_FUZZ_TARGETS}")
