# OpenEXR's C library, OpenEXRCore, alone, as the imported target clrender::OpenEXRCore; used by
# clrender's build and by its installed CMake package (whose static library needs it).
#
# Both ways OpenEXR offers bring more: its pkg-config module lists the C++ libraries
# (OpenEXR, Iex, IlmThread, Imath) with the core, and its CMake package's targets ask for a
# C++ compiler (cxx_std_11), which this C project does not enable. So pkg-config only says
# where OpenEXR lies, and the core library and its header are found there.
if(NOT TARGET clrender::OpenEXRCore)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CLRENDER_OPENEXR REQUIRED OpenEXR)
  find_path(CLRENDER_OPENEXR_INCLUDE_DIR openexr.h HINTS ${CLRENDER_OPENEXR_INCLUDE_DIRS}
            PATH_SUFFIXES OpenEXR REQUIRED)
  # The core's name as pkg-config lists it (OpenEXRCore-3_1 for OpenEXR 3.1).
  set(core_name OpenEXRCore)
  foreach(library IN LISTS CLRENDER_OPENEXR_LIBRARIES)
    if(library MATCHES "^OpenEXRCore")
      set(core_name ${library})
    endif()
  endforeach()
  find_library(CLRENDER_OPENEXR_CORE_LIBRARY NAMES ${core_name}
               HINTS ${CLRENDER_OPENEXR_LIBRARY_DIRS} REQUIRED)
  # GLOBAL: a project that adds clrender with add_subdirectory() links the static library,
  # and with it this target, from its own directories.
  add_library(clrender::OpenEXRCore UNKNOWN IMPORTED GLOBAL)
  set_target_properties(clrender::OpenEXRCore PROPERTIES
    IMPORTED_LOCATION ${CLRENDER_OPENEXR_CORE_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CLRENDER_OPENEXR_INCLUDE_DIR})
  unset(core_name)
endif()
