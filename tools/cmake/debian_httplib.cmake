# cpp-httplib from Debian's source package (bookworm, 0.11.4+ds-1+deb12u1), used header-only.
#
# Debian's binary package ships httplib as a shared library built with OpenSSL, zlib and brotli;
# it has no static archive and no aarch64 build on an amd64 host. The same release's source
# package holds the upstream single header, which compiles into crnn-ocr directly, so one
# source serves the default, the static and the cross build. The tarballs are pinned by the
# SHA-256 sums in the package's signed .dsc, and Debian's patches (the CVE-2023-26130 fix) are
# applied as dpkg-source would. TLS and compression stay off: the service speaks plain HTTP
# and sits behind a proxy for TLS (README, "Deployment").
set(CRNN_HTTPLIB_POOL "http://deb.debian.org/debian/pool/main/c/cpp-httplib" CACHE STRING
    "Where Debian's cpp-httplib source package is downloaded from (a mirror or a file:// folder)")
set(_httplib_dir ${CMAKE_BINARY_DIR}/_deps/cpp-httplib)
set(_httplib_header ${_httplib_dir}/source/httplib.h)

if(NOT EXISTS ${_httplib_header})
  set(_files
    "cpp-httplib_0.11.4+ds.orig.tar.xz|8b1a5df569003b6a4f24c68489bbda5c64aec94697bdc9ebba5d79408b2ae7eb"
    "cpp-httplib_0.11.4+ds-1+deb12u1.debian.tar.xz|a0adf8a38610806f6d94ba69839438635e5e6580775e28ff31d6a081e34f1484")
  foreach(entry IN LISTS _files)
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 name)
    list(GET parts 1 sha)
    message(STATUS "cpp-httplib: fetching ${name} from Debian's source pool")
    file(DOWNLOAD ${CRNN_HTTPLIB_POOL}/${name} ${_httplib_dir}/${name}
         EXPECTED_HASH SHA256=${sha} STATUS st TLS_VERIFY ON)
    list(GET st 0 code)
    if(NOT code EQUAL 0)
      message(FATAL_ERROR "cpp-httplib: could not download ${CRNN_HTTPLIB_POOL}/${name}: ${st}")
    endif()
  endforeach()
  file(REMOVE_RECURSE ${_httplib_dir}/unpacked ${_httplib_dir}/source)
  file(ARCHIVE_EXTRACT INPUT ${_httplib_dir}/cpp-httplib_0.11.4+ds.orig.tar.xz DESTINATION ${_httplib_dir}/unpacked)
  file(ARCHIVE_EXTRACT INPUT ${_httplib_dir}/cpp-httplib_0.11.4+ds-1+deb12u1.debian.tar.xz DESTINATION ${_httplib_dir}/unpacked)
  file(GLOB _top LIST_DIRECTORIES true ${_httplib_dir}/unpacked/yhirose-cpp-httplib-*)
  file(STRINGS ${_httplib_dir}/unpacked/debian/patches/series _series REGEX "^[^#]")
  foreach(p IN LISTS _series)
    execute_process(COMMAND patch -p1 --forward --quiet -i ${_httplib_dir}/unpacked/debian/patches/${p}
                    WORKING_DIRECTORY ${_top} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "cpp-httplib: Debian patch ${p} did not apply")
    endif()
  endforeach()
  file(MAKE_DIRECTORY ${_httplib_dir}/source)
  file(COPY ${_top}/httplib.h ${_top}/LICENSE DESTINATION ${_httplib_dir}/source)
endif()

add_library(crnn_httplib INTERFACE)
target_include_directories(crnn_httplib SYSTEM INTERFACE ${_httplib_dir}/source)
target_link_libraries(crnn_httplib INTERFACE Threads::Threads)
