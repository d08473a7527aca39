-- Reading Burrow's unified diff and applying its hunks to a file's current lines, in Lua, so the
-- diff tab can show the proposed text without anything touching a real buffer or the disk.
local M = {}

local function strip_path(raw)
  -- Drop a trailing tab and timestamp, then the a/ or b/ prefix git-style diffs carry.
  local path = raw:gsub('\t.*$', '')
  if path == '/dev/null' then
    return nil
  end
  return (path:gsub('^[ab]/', ''))
end

--- Parse a unified diff of one or more files.
---@param diff string
---@return table[] files: { path, old_path, new_path, hunks = { { old_start, old_lines, new_start, new_lines, lines } } }
function M.parse(diff)
  local files = {}
  local file, hunk
  local lines = vim.split(diff or '', '\n', { plain = true })
  -- CRLF files: compare and show lines without the carriage return, as Neovim's buffers hold them.
  for n, line in ipairs(lines) do
    lines[n] = line:gsub('\r$', '')
  end
  local i = 1
  while i <= #lines do
    local line = lines[i]
    local old_header = line:match('^%-%-%- (.*)$')
    local new_header = lines[i + 1] and lines[i + 1]:match('^%+%+%+ (.*)$')
    -- A file header is a `---` line directly followed by a `+++` line, outside a hunk's body.
    if old_header and new_header and (not hunk or hunk.remaining_old <= 0 and hunk.remaining_new <= 0) then
      local old_path, new_path = strip_path(old_header), strip_path(new_header)
      file = { old_path = old_path, new_path = new_path, path = new_path or old_path, hunks = {} }
      table.insert(files, file)
      hunk = nil
      i = i + 2
    else
      local os_, ol, ns, nl = line:match('^@@ %-(%d+),?(%d*) %+(%d+),?(%d*) @@')
      if os_ and file then
        hunk = {
          old_start = tonumber(os_),
          old_lines = ol == '' and 1 or tonumber(ol),
          new_start = tonumber(ns),
          new_lines = nl == '' and 1 or tonumber(nl),
          lines = {},
        }
        hunk.remaining_old = hunk.old_lines
        hunk.remaining_new = hunk.new_lines
        table.insert(file.hunks, hunk)
      elseif hunk then
        local mark = line:sub(1, 1)
        if mark == ' ' or (line == '' and (hunk.remaining_old > 0 and hunk.remaining_new > 0)) then
          table.insert(hunk.lines, ' ' .. line:sub(2))
          hunk.remaining_old = hunk.remaining_old - 1
          hunk.remaining_new = hunk.remaining_new - 1
        elseif mark == '-' then
          table.insert(hunk.lines, line)
          hunk.remaining_old = hunk.remaining_old - 1
        elseif mark == '+' then
          table.insert(hunk.lines, line)
          hunk.remaining_new = hunk.remaining_new - 1
        elseif mark == '\\' then
          -- "\ No newline at end of file": the preview shows lines, so this changes nothing here.
          table.insert(hunk.lines, line)
        end
      end
      i = i + 1
    end
  end
  for _, f in ipairs(files) do
    for _, h in ipairs(f.hunks) do
      h.remaining_old, h.remaining_new = nil, nil
    end
  end
  return files
end

--- Apply hunks, in order, to `old` (a list of lines). Returns the new lines and a list of
--- sentences for hunks whose context did not match `old` (the file changed since Burrow read it);
--- such hunks are still placed by their line numbers so the preview stays readable.
---@param old string[]
---@param hunks table[]
---@return string[] new, string[] mismatches
function M.apply(old, hunks)
  local out, mismatches = {}, {}
  local next_old = 1 -- the first line of `old` not yet copied
  for index, hunk in ipairs(hunks) do
    -- A hunk that removes nothing names the line *after which* it inserts.
    local start = hunk.old_lines == 0 and hunk.old_start + 1 or hunk.old_start
    while next_old < start and next_old <= #old do
      table.insert(out, old[next_old])
      next_old = next_old + 1
    end
    local matched = true
    for _, line in ipairs(hunk.lines) do
      local mark, text = line:sub(1, 1), line:sub(2)
      if mark == ' ' then
        if old[next_old] ~= text then
          matched = false
        end
        table.insert(out, text)
        next_old = next_old + 1
      elseif mark == '-' then
        if old[next_old] ~= text then
          matched = false
        end
        next_old = next_old + 1
      elseif mark == '+' then
        table.insert(out, text)
      end
    end
    if not matched then
      table.insert(mismatches, string.format('hunk %d (line %d) no longer matches the text', index, hunk.old_start))
    end
  end
  while next_old <= #old do
    table.insert(out, old[next_old])
    next_old = next_old + 1
  end
  return out, mismatches
end

return M
