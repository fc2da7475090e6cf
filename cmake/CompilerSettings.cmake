# Project-wide compiler settings: strict warnings, hardening, and the Qt defines we rely on.
include_guard(GLOBAL)

add_library(si_compile_options INTERFACE)
target_compile_features(si_compile_options INTERFACE cxx_std_20)
target_compile_options(si_compile_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual
    -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations -Wundef
    -fstack-protector-strong)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(si_compile_options INTERFACE -Wduplicated-cond -Wlogical-op)
endif()
if(SI_WERROR)
    target_compile_options(si_compile_options INTERFACE -Werror)
endif()
target_compile_definitions(si_compile_options INTERFACE
    QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_NO_FOREACH QT_NO_KEYWORDS
    $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
target_link_options(si_compile_options INTERFACE -Wl,-z,relro -Wl,-z,now)

if(SI_SANITIZE)
    target_compile_options(si_compile_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                        -fno-sanitize-recover=undefined)
    target_link_options(si_compile_options INTERFACE -fsanitize=address,undefined)
    # GCC 12 reports std::optional members as "may be used uninitialized" once ASan instruments
    # them (GCC bug 80635, false positives); the plain build keeps the warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(si_compile_options INTERFACE -Wno-maybe-uninitialized)
    endif()
endif()
if(SI_FUZZ)
    # Everything the fuzz targets link is instrumented for coverage and checked by ASan/UBSan.
    target_compile_options(si_compile_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                        -fno-omit-frame-pointer)
    target_link_options(si_compile_options INTERFACE -fsanitize=address,undefined)
endif()
