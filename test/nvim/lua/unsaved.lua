-- When a buffer is not written after Burrow's edit: the user had unsaved changes in it (mode
-- "user-edits"), or write_after_apply is off (mode "no-write"). Either way the edit is in the
-- buffer, the disk is untouched, and only the first case warns.
local h = require('harness')

local notes = h.record_notes()

local buf = vim.api.nvim_get_current_buf()
if h.params.mode == 'user-edits' then
  vim.api.nvim_buf_set_lines(buf, 5, 6, false, { h.params.user_line })
end
local id = h.start_task(h.params.prompt)
vim.cmd('Burrow approve')
h.wait_for_state(id, 'awaitingChangesApproval', 'the changes')
vim.cmd('Burrow apply')
h.wait_for_state(id, 'applied', 'the task to be applied')
return {
  modified = vim.bo[buf].modified,
  buffer = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n',
  disk = h.read_file(vim.api.nvim_buf_get_name(buf)),
  warnings = h.messages_at(notes, vim.log.levels.WARN),
}
