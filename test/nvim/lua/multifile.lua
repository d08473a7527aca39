-- A proposal touching three files (two changed, one created, in a folder that does not exist
-- yet): the diff tab shows one file at a time, `q` closes it without deciding and :Burrow review
-- brings it back, `]h` walks the hunks across files, and only the accepted hunks land (mode
-- "first-file": the first file's; mode "all": every one, the new file included).
local h = require('harness')
local tasks = require('burrow.tasks')
local review = require('burrow.review')

local out = { files_seen = {} }
local id = h.start_task(h.params.prompt)
vim.cmd('Burrow approve')
h.wait_for('the diff tab', function()
  return review.current ~= nil
end)
out.file_count = #review.current.files
out.paths = vim.tbl_map(function(f)
  return f.path
end, review.current.files)
out.created = vim.tbl_map(function(f)
  return f.created == true
end, review.current.files)

-- Reject the first hunk, then close without submitting; the task keeps waiting, and the tab
-- comes back with that decision kept.
vim.cmd('Burrow hunk reject')
h.keys('q')
out.closed = review.current == nil
out.state_after_close = tasks.get(id).state
vim.cmd('Burrow review')
out.reopened = review.current ~= nil
out.kept_decision = review.current.files[1].hunks[1].decision

-- Walk every hunk with ]h, noting the file shown at each stop.
local stops = 0
local last_key
repeat
  local file = review.current.files[review.current.file_index]
  local key = file.path .. ':' .. vim.api.nvim_win_get_cursor(0)[1]
  if key == last_key then
    break
  end
  table.insert(out.files_seen, file.path)
  last_key = key
  h.keys(']h')
  stops = stops + 1
until stops > 10

if h.params.mode == 'all' then
  vim.cmd('Burrow hunk accept-all')
else
  -- Back to the first file, accept its hunks only; leave the rest undecided.
  vim.cmd('Burrow file prev')
  while review.current.file_index ~= 1 do
    vim.cmd('Burrow file prev')
  end
  local first = review.current.files[1]
  for _ = 1, #first.hunks do
    vim.cmd('Burrow hunk accept')
  end
end
out.accepted = review.accepted_ids()
vim.cmd('Burrow submit')
h.wait_for_state(id, 'applied', 'the task to be applied')
h.wait_for('every touched buffer written', function()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].buftype == '' and vim.bo[buf].modified then
      return false
    end
  end
  return true
end)
out.declined = tasks.get(id).declinedHunks
return out
