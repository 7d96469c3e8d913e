# The layer graph of docs/architecture.md (the ```layer-graph block), enforced by the build:
# - each library recgrad_<folder> compiles against ${CMAKE_BINARY_DIR}/layer_include/<folder>/, a folder
#   of symlinks to only the source folders it may use, so an #include that runs upward is not found;
# - a library that links a recgrad_ library above it stops the configure step.
# tests/layering/check_layers.py checks the #include lines against the same block.

file(STRINGS ${PROJECT_SOURCE_DIR}/docs/architecture.md architecture_lines)
set(in_graph FALSE)
set(layer_folders "")
foreach(line IN LISTS architecture_lines)
  if(line STREQUAL "```layer-graph")
    set(in_graph TRUE)
  elseif(in_graph AND line STREQUAL "```")
    break()
  elseif(in_graph AND line MATCHES "^([a-z_]+):(.*)$")
    string(STRIP "${CMAKE_MATCH_2}" uses)
    if(NOT uses STREQUAL "*")  # programs on top see the whole repository
      separate_arguments(uses UNIX_COMMAND "${uses}")
      list(APPEND layer_folders ${CMAKE_MATCH_1})
      set(layer_uses_${CMAKE_MATCH_1} ${uses})
    endif()
  endif()
endforeach()
if(NOT layer_folders)
  message(FATAL_ERROR "docs/architecture.md: no ```layer-graph block with library folders")
endif()

foreach(folder IN LISTS layer_folders)
  if(NOT TARGET recgrad_${folder})
    message(FATAL_ERROR "docs/architecture.md layer graph: folder '${folder}' has no library recgrad_${folder}")
  endif()
  # The folders it may use: itself, the ones it names, and all that those may use.
  set(allowed ${folder})
  set(pending ${layer_uses_${folder}})
  while(pending)
    list(POP_FRONT pending below)
    if(NOT below IN_LIST allowed)
      list(APPEND allowed ${below})
      list(APPEND pending ${layer_uses_${below}})
    endif()
  endwhile()

  set(include_dir ${CMAKE_BINARY_DIR}/layer_include/${folder})
  file(REMOVE_RECURSE ${include_dir})  # removes the links, never what they point to
  file(MAKE_DIRECTORY ${include_dir})
  foreach(below IN LISTS allowed)
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${below} ${include_dir}/${below} SYMBOLIC)
  endforeach()
  set_target_properties(recgrad_${folder} PROPERTIES RECGRAD_LAYER_INCLUDE ${include_dir})

  get_target_property(links recgrad_${folder} LINK_LIBRARIES)
  foreach(lib IN LISTS links)
    if(lib MATCHES "^recgrad_(.+)$" AND NOT lib STREQUAL "recgrad_flags")
      string(REGEX REPLACE "^recgrad_" "" used ${lib})
      if(NOT used IN_LIST allowed)
        string(REPLACE ";" ", " allowed "${allowed}")
        message(FATAL_ERROR "${folder}/CMakeLists.txt: recgrad_${folder} links ${lib}, an upward arrow ${folder} -> "
                            "${used}; ${folder} may use only ${allowed} (layer graph in docs/architecture.md)")
      endif()
    endif()
  endforeach()
endforeach()
