# Embeds the default models in crnn-ocr (CRNN_EMBED_MODELS; on with CRNN_STATIC): at build time
# the ONNX models of CRNN_SHARED_MODELS are converted by crnn-convert into
# ${CMAKE_BINARY_DIR}/embedded_models/, and a generated source links those files in as read-only
# data with an assembler .incbin (server/embedded_models.cpp finds them). They are the models a
# plain build finds in build/models/ (server/model_paths.cpp): detector ch_PP-OCRv3, classifier
# ch_ppocr_mobile_v2.0, recognizer ch_ppocr_mobile_v2.0 with its dictionary.
set(CRNN_SHARED_MODELS "${CMAKE_SOURCE_DIR}/../shared/models" CACHE PATH
    "The pretrained ONNX models (../shared/models) the embedded default models are converted from")
set(CRNN_HOST_CONVERT "" CACHE FILEPATH
    "A crnn-convert that runs on the build machine, to convert the embedded models in a cross build (default: the crnn-convert of this tree)")

set(CRNN_EMBED_DIR ${CMAKE_BINARY_DIR}/embedded_models)
set(CRNN_EMBED_REC_FILE rec_ch_ppocr_mobile_v2.0.crnn)
set(CRNN_EMBED_DET_FILE det_ch_PP-OCRv3.crnn)
set(CRNN_EMBED_CLS_FILE cls_ch_ppocr_mobile_v2.0.crnn)

function(crnn_embed_default_models target)
  if(CRNN_HOST_CONVERT)
    set(convert ${CRNN_HOST_CONVERT})
    set(convert_dep ${CRNN_HOST_CONVERT})
  elseif(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
    message(FATAL_ERROR "CRNN_EMBED_MODELS in a cross build: set CRNN_HOST_CONVERT to a crnn-convert built for this "
                        "machine (or CMAKE_CROSSCOMPILING_EMULATOR to run the target's)")
  else()
    # The target name, not its path: CMake then runs it through CMAKE_CROSSCOMPILING_EMULATOR
    # (e.g. qemu-aarch64) when one is set.
    set(convert crnn-convert)
    set(convert_dep crnn-convert)
  endif()
  set(rec_dir ${CRNN_SHARED_MODELS}/rec/ch_ppocr_mobile_v2.0)
  set(det_dir ${CRNN_SHARED_MODELS}/det/ch_PP-OCRv3)
  set(cls_dir ${CRNN_SHARED_MODELS}/cls/ch_ppocr_mobile_v2.0)
  foreach(input ${rec_dir}/rec.onnx ${rec_dir}/ppocr_keys_v1.txt ${det_dir}/det.onnx ${cls_dir}/cls.onnx)
    if(NOT EXISTS ${input})
      message(FATAL_ERROR "CRNN_EMBED_MODELS: ${input} is missing (set CRNN_SHARED_MODELS to the models folder)")
    endif()
  endforeach()

  set(outputs "")
  foreach(kind rec det cls)
    string(TOUPPER ${kind} k)
    set(out ${CRNN_EMBED_DIR}/${CRNN_EMBED_${k}_FILE})
    set(args ${${kind}_dir}/${kind}.onnx --kind ${kind} --name)
    string(REGEX REPLACE "^${kind}_(.*)\\.crnn$" "\\1" name ${CRNN_EMBED_${k}_FILE})
    list(APPEND args ${name})
    set(deps ${${kind}_dir}/${kind}.onnx ${convert_dep})
    if(kind STREQUAL "rec")
      list(APPEND args --dict ${rec_dir}/ppocr_keys_v1.txt)
      list(APPEND deps ${rec_dir}/ppocr_keys_v1.txt)
    endif()
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CRNN_EMBED_DIR}
      COMMAND ${convert} ${args} -o ${out}
      DEPENDS ${deps}
      COMMENT "Converting the embedded ${kind} model ${name}"
      VERBATIM)
    list(APPEND outputs ${out})
  endforeach()
  add_custom_target(crnn_embedded_models DEPENDS ${outputs})

  set(data ${CRNN_EMBED_DIR}/embedded_models_data.cpp)
  configure_file(${CMAKE_SOURCE_DIR}/tools/cmake/embedded_models_data.cpp.in ${data} @ONLY)
  # The .incbin'd files are inputs of that object: it is rebuilt when a model changes.
  set_source_files_properties(${data} PROPERTIES OBJECT_DEPENDS "${outputs}")
  target_sources(${target} PRIVATE ${data})
  target_compile_definitions(${target} PRIVATE CRNN_EMBEDDED_MODELS)
  add_dependencies(${target} crnn_embedded_models)
endfunction()
