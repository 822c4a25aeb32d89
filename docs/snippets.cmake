# ding_extract_snippets(<markdown file> <output dir> <out var>)
#
# The rule for code in README.md and docs/*.md (written down in docs/writing-docs.md):
# every fenced block opened by a line that is exactly ```cpp (at column 0) is a complete
# translation unit: it has its own #include lines and compiles on its own with the project's
# warnings. A block that defines `int main(` is also linked (against ding::ding and
# ding::sandbox). Code that is not meant to compile (shell, CMake, signatures in prose) uses
# another fence language (sh, cmake, text); ```c++ and ```cxx are refused so that a C++ block
# cannot skip the check by its spelling.
#
# Each block is written to <output dir>/<name>_<line>.cpp with a #line directive, so a
# compiler error points at the Markdown file and line. A file is rewritten only when its text
# changed, so reconfiguring does not recompile every block. <out var> receives the list of
# files written.
function(ding_extract_snippets markdown out_dir out_var)
  get_filename_component(_name ${markdown} NAME_WE)
  string(MAKE_C_IDENTIFIER "${_name}" _name)
  string(TOLOWER "${_name}" _name)
  file(READ ${markdown} _text)
  # A leading newline lets every fence be found as "\n```" (fences start at column 0).
  set(_text "\n${_text}")
  foreach(_wrong "\n```c++\n" "\n```cxx\n" "\n```C++\n" "\n```cc\n" "\n``` cpp\n")
    string(FIND "${_text}" "${_wrong}" _at)
    if(NOT _at EQUAL -1)
      string(STRIP "${_wrong}" _w)
      message(FATAL_ERROR "${markdown}: a C++ block is opened with '${_w}': open it with '```cpp' "
                          "so that the snippet test compiles it (docs/writing-docs.md)")
    endif()
  endforeach()
  set(_written)
  set(_offset 0)
  string(LENGTH "${_text}" _total)
  while(TRUE)
    string(SUBSTRING "${_text}" ${_offset} -1 _rest)
    string(FIND "${_rest}" "\n```cpp\n" _open)
    if(_open EQUAL -1)
      break()
    endif()
    math(EXPR _body_start "${_offset} + ${_open} + 8")          # after "\n```cpp\n"
    string(SUBSTRING "${_text}" ${_body_start} -1 _after)
    string(FIND "${_after}" "\n```" _close)
    if(_close EQUAL -1)
      message(FATAL_ERROR "${markdown}: a ```cpp block is never closed")
    endif()
    string(SUBSTRING "${_after}" 0 ${_close} _code)
    # Line number of the block's first line of code in the Markdown file (1-based): the
    # newlines before it, minus the one added in front.
    string(SUBSTRING "${_text}" 0 ${_body_start} _before)
    string(REGEX MATCHALL "\n" _newlines "${_before}")
    list(LENGTH _newlines _line)
    set(_file ${out_dir}/${_name}_${_line}.cpp)
    file(WRITE ${_file}.new "#line ${_line} \"${markdown}\"\n${_code}\n")
    configure_file(${_file}.new ${_file} COPYONLY)   # touches the file only when it changed
    file(REMOVE ${_file}.new)
    list(APPEND _written ${_file})
    math(EXPR _offset "${_body_start} + ${_close} + 4")
    if(_offset GREATER_EQUAL _total)
      break()
    endif()
  endwhile()
  set(${out_var} ${_written} PARENT_SCOPE)
endfunction()
