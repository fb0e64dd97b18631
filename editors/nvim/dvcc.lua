-- dvcc for Neovim's built-in language client (Neovim 0.7 and later).
--
-- Put this file on your runtimepath (for example as
-- ~/.config/nvim/lua/dvcc.lua) and add to your init.lua:
--
--   require("dvcc").setup()            -- or setup({ cmd = { "/path/to/dvcc", "lsp" } })
--
-- It makes `*.dvc` files the `dvc` filetype (comments `#`, `//`), and starts
-- `dvcc lsp` for them, one server per project directory.
local M = {}

local function root_of(path)
  -- A project is the directory of its `.dvc` files.
  return vim.fn.fnamemodify(path, ":p:h")
end

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { "dvcc", "lsp" }

  if vim.filetype and vim.filetype.add then
    vim.filetype.add({ extension = { dvc = "dvc" } })
  end
  -- (Neovim 0.7 reads `vim.filetype.add` only with `g:do_filetype_lua`.)
  vim.cmd([[autocmd BufRead,BufNewFile *.dvc setfiletype dvc]])

  local clients = {}
  local function attach(bufnr)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name == "" then
      return
    end
    vim.bo[bufnr].commentstring = "# %s"
    vim.bo[bufnr].comments = ":#,://"
    local root = root_of(name)
    if vim.lsp.start then
      vim.lsp.start({ name = "dvcc", cmd = cmd, root_dir = root }, { bufnr = bufnr })
      return
    end
    local id = clients[root]
    if not id or vim.lsp.client_is_stopped(id) then
      id = vim.lsp.start_client({
        name = "dvcc",
        cmd = cmd,
        root_dir = root,
        on_attach = opts.on_attach,
      })
      clients[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end

  local group = vim.api.nvim_create_augroup("dvcc", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "dvc",
    callback = function(args)
      attach(args.buf)
    end,
  })
end

return M
