-- `:checkhealth burrow` must run to the end without a Lua error, with or without a running client.
local h = require('harness')
local client = require('burrow.client')

if h.params.with_client then
  vim.cmd('edit ' .. vim.fn.fnameescape(h.params.workspace .. '/notes.txt'))
  h.wait_for('the client to initialize', function()
    local c = client.running()
    return c and c.initialized
  end)
end

vim.cmd('checkhealth burrow')
local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
return { lines = lines, filetype = vim.bo.filetype }
