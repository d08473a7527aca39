-- The review model behind the diff tab, with no window, buffer or disk in it: from a task's unified
-- diff and hunk list, the files with their current and proposed lines and every hunk paired with its
-- id; the user's decisions; where each hunk sits on either side; and which hunk a cursor line
-- belongs to. The view (review.lua) draws it and maps keys to it; the specs test it against the
-- server's own changesets.
local patch = require('burrow.patch')

local M = {}

-- How a loosely placed hunk was matched, shown beside it so the user looks twice. Exact matches,
-- whole files and new files need no remark.
M.tier_notes = {
  ['trailing-whitespace'] = 'matched ignoring trailing spaces',
  ['indentation'] = 'matched ignoring indentation',
  ['leading-blank-line'] = 'matched ignoring a blank first line',
  ['elision'] = 'matched around an elided part',
  ['unwrapped-fence'] = 'matched after removing a stray fence',
}

--- Build the files of a review. `task` carries `diff` and `changes` (the hunks, in diff order);
--- `source.read(fname)` gives a file's current lines (the open buffer, else the disk, else {}), and
--- `source.root` places paths the changes give no URI for. Returns the files and a list of
--- sentences about hunks that no longer match the current text.
---@return table[] files, string[] problems
function M.build(task, source)
  local files, problems = {}, {}
  local changes = task.changes or {}
  local k = 0
  for _, parsed in ipairs(patch.parse(task.diff or '')) do
    local file = { path = parsed.path, hunks = {}, deleted = parsed.new_path == nil, created = parsed.old_path == nil }
    local parsed_hunks = parsed.hunks
    if file.created or file.deleted then
      -- Creating or deleting a file is one decision (one entry in `changes`) whatever the diff
      -- shows: one hunk, or none for an empty file.
      local lines = {}
      for _, h in ipairs(parsed_hunks) do
        vim.list_extend(lines, h.lines)
      end
      parsed_hunks = {
        {
          old_start = 0,
          old_lines = file.created and 0 or #lines,
          new_start = file.created and (#lines > 0 and 1 or 0) or 0,
          new_lines = file.created and #lines or 0,
          lines = lines,
        },
      }
    end
    for _, h in ipairs(parsed_hunks) do
      k = k + 1
      local change = changes[k] or {}
      if change.path and change.path ~= parsed.path then
        table.insert(problems, string.format('hunk %d is listed for %s but the diff has it in %s', k, change.path, parsed.path))
      end
      file.uri = file.uri or change.uri
      table.insert(file.hunks, {
        id = change.hunkId or ('h' .. k),
        tier = change.tier,
        old_start = h.old_start,
        old_lines = h.old_lines,
        new_start = h.new_start,
        new_lines = h.new_lines,
        lines = h.lines,
        decision = 'pending',
      })
    end
    file.fname = file.uri and vim.uri_to_fname(file.uri) or (source.root .. '/' .. parsed.path)
    file.old = file.created and {} or source.read(file.fname)
    local new, mismatches = patch.apply(file.old, file.deleted and {} or file.hunks)
    file.new = file.deleted and {} or new
    if not file.deleted then
      for _, m in ipairs(mismatches) do
        table.insert(problems, parsed.path .. ': ' .. m)
      end
    end
    table.insert(files, file)
  end
  return files, problems
end

--- Every hunk of the review, in diff order, as { file = index, hunk = index, data = hunk }.
function M.all_hunks(files)
  local out = {}
  for fi, file in ipairs(files) do
    for hi, hunk in ipairs(file.hunks) do
      table.insert(out, { file = fi, hunk = hi, data = hunk })
    end
  end
  return out
end

--- How many hunks are pending, accepted and rejected, and in all.
function M.counts(files)
  local c = { pending = 0, accepted = 0, rejected = 0, total = 0 }
  for _, h in ipairs(M.all_hunks(files)) do
    c[h.data.decision] = c[h.data.decision] + 1
    c.total = c.total + 1
  end
  return c
end

--- The ids of the accepted hunks, in diff order.
function M.accepted_ids(files)
  local ids = {}
  for _, h in ipairs(M.all_hunks(files)) do
    if h.data.decision == 'accepted' then
      table.insert(ids, h.data.id)
    end
  end
  return ids
end

--- Set every hunk's decision.
function M.decide_all(files, decision)
  for _, h in ipairs(M.all_hunks(files)) do
    h.data.decision = decision
  end
end

--- The decisions by hunk id, to keep them while the tab is closed.
function M.decisions(files)
  local out = {}
  for _, h in ipairs(M.all_hunks(files)) do
    out[h.data.id] = h.data.decision
  end
  return out
end

--- Put back decisions kept by `decisions()`.
function M.restore(files, decisions)
  for _, h in ipairs(M.all_hunks(files)) do
    h.data.decision = decisions[h.data.id] or h.data.decision
  end
end

--- The 0-based row of a hunk on one side ('old' or 'new'): its first changed line, past the leading
--- context; a hunk that adds no lines on that side names the line after which it sits.
function M.row(hunk, side, line_count)
  local start = side == 'new' and hunk.new_start or hunk.old_start
  local size = side == 'new' and hunk.new_lines or hunk.old_lines
  local leading = 0
  for _, line in ipairs(hunk.lines) do
    if line:sub(1, 1) ~= ' ' then
      break
    end
    leading = leading + 1
  end
  local r = size == 0 and start - 1 or start - 1 + math.min(leading, size - 1)
  return math.min(math.max(r, 0), math.max(line_count - 1, 0))
end

--- The hunk a 1-based cursor line on `side` belongs to: the one whose first changed line is at or
--- above it (the nearest), else the first.
function M.hunk_at(file, side, cursor)
  local line_count = side == 'new' and #file.new or #file.old
  local found = file.hunks[1]
  for _, hunk in ipairs(file.hunks) do
    if M.row(hunk, side, line_count) + 1 <= cursor then
      found = hunk
    end
  end
  return found
end

--- The 1-based line of the next (delta 1) or previous (-1) hunk from `cursor` on `side`, or nil
--- at either end of the file.
function M.step(file, side, cursor, delta)
  local line_count = side == 'new' and #file.new or #file.old
  local rows = {}
  for _, hunk in ipairs(file.hunks) do
    table.insert(rows, M.row(hunk, side, line_count) + 1)
  end
  if delta > 0 then
    for _, r in ipairs(rows) do
      if r > cursor then
        return r
      end
    end
  else
    for i = #rows, 1, -1 do
      if rows[i] < cursor then
        return rows[i]
      end
    end
  end
  return nil
end

--- The first pending hunk, looking from file `from` onwards and wrapping: its file index and hunk.
function M.next_pending(files, from)
  for offset = 0, #files - 1 do
    local index = ((from - 1 + offset) % #files) + 1
    for _, hunk in ipairs(files[index].hunks) do
      if hunk.decision == 'pending' then
        return index, hunk
      end
    end
  end
  return nil
end

return M
