# Shared target settings: warnings for our code and one precompiled torch header that every
# torch-using target reuses (one TU with torch.h costs ~25 s; the PCH brings that to a few seconds).

function(latentshop_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(LATENTSHOP_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# QT_NO_KEYWORDS everywhere: Qt's `slots`/`signals`/`emit` macros break torch headers.
add_compile_definitions(QT_NO_KEYWORDS)

# The PCH library. -fPIC is PUBLIC so every consumer compiles with the flags the PCH was built with
# (GCC refuses a PCH built with different code-generation flags).
add_library(latentshop_torch_pch STATIC "${CMAKE_CURRENT_LIST_DIR}/pch_anchor.cpp")
target_compile_options(latentshop_torch_pch PUBLIC -fPIC)
target_link_libraries(latentshop_torch_pch PUBLIC ${TORCH_LIBRARIES} ${OpenCV_LIBS}
                      spdlog::spdlog nlohmann_json::nlohmann_json Threads::Threads)
target_include_directories(latentshop_torch_pch SYSTEM PUBLIC ${TORCH_INCLUDE_DIRS} ${OpenCV_INCLUDE_DIRS})
target_precompile_headers(latentshop_torch_pch PRIVATE
  <torch/torch.h> <opencv2/core.hpp> <opencv2/imgproc.hpp> <nlohmann/json.hpp> <spdlog/spdlog.h>
  <functional> <memory> <string> <vector> <map> <optional>)

# Use the shared torch PCH in `target`. Moc's generated sources skip it.
function(latentshop_use_torch_pch target)
  target_link_libraries(${target} PRIVATE latentshop_torch_pch)
  target_precompile_headers(${target} REUSE_FROM latentshop_torch_pch)
  get_target_property(_automoc ${target} AUTOMOC)
  if(_automoc)
    set_source_files_properties("${CMAKE_CURRENT_BINARY_DIR}/${target}_autogen/mocs_compilation.cpp"
      PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
  endif()
endfunction()
