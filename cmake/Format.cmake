# `format` rewrites every C++ file with clang-format; `format-check` fails when one differs.
include_guard(GLOBAL)
find_program(CLANG_FORMAT_PROGRAM NAMES clang-format clang-format-14)
if(CLANG_FORMAT_PROGRAM)
    set(_si_format_dirs app core stores ui tests bench)
    add_custom_target(format
        COMMAND ${CMAKE_SOURCE_DIR}/scripts/format.sh --fix
        WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
        COMMENT "clang-format -i on all sources")
    add_custom_target(format-check
        COMMAND ${CMAKE_SOURCE_DIR}/scripts/format.sh --check
        WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
        COMMENT "Checking clang-format")
endif()
