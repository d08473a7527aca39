-- When a buffer is not written after Burrow's edit: the user had unsaved changes in it (mode
-- "user-edits"), or write_after_apply is off (mode "no-write"). Either way the edit is in the
-- buffer, the disk is untouched, and only the first case warns.
local h = require('harness')
local tasks = require('burrow.tasks')

local notes = {}
local notify = vim.notify
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level })
  notify(msg, level)
end

local buf = vim.api.nvim_get_current_buf()
if h.params.mode == 'user-edits' then
  vim.api.nvim_buf_set_lines(buf, 5, 6, false, { h.params.user_line })
end
vim.cmd('Burrow task ' .. h.params.prompt)
h.wait_for('the plan', function()
  return tasks.latest_awaiting({ plan = true }) ~= nil
end)
local id = tasks.latest_awaiting({ plan = true }).taskId
vim.cmd('Burrow approve')
h.wait_for('the changes', function()
  return tasks.get(id).state == 'awaitingChangesApproval'
end)
vim.cmd('Burrow apply')
h.wait_for('the task to be applied', function()
  return tasks.get(id).state == 'applied'
end)
local warnings = {}
for _, note in ipairs(notes) do
  if note.level == vim.log.levels.WARN then
    table.insert(warnings, note.msg)
  end
end
return {
  modified = vim.bo[buf].modified,
  buffer = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n',
  disk = h.read_file(vim.api.nvim_buf_get_name(buf)),
  warnings = warnings,
}
