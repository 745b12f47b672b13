import { describe, expect, it } from "vitest";
import { findTool } from "../../src/detect/find-tool.js";
import { demangleNames } from "../../src/symbolize/demangle.js";
import { demangleNameNatively, isMangledName, shortenFunctionName, stripSymbolVersion } from "../../src/symbolize/function-names.js";

describe("shortenFunctionName", () => {
  it("drops argument lists, template arguments and the return type, like pprof", () => {
    expect(shortenFunctionName("void std::__introsort_loop<int*, long>(int*, int*, long)")).toBe("std::__introsort_loop");
    expect(shortenFunctionName("demo::Widget::size() const")).toBe("demo::Widget::size");
    expect(shortenFunctionName("std::vector<std::pair<int, int>, std::allocator<std::pair<int, int> > >::push_back(std::pair<int, int> const&)")).toBe("std::vector::push_back");
    expect(shortenFunctionName("operator new(unsigned long)")).toBe("operator new");
  });

  it("leaves C names alone", () => {
    expect(shortenFunctionName("leaf_alloc")).toBe("leaf_alloc");
    expect(shortenFunctionName("__GI___libc_free")).toBe("__GI___libc_free");
  });
});

describe("demangleNameNatively", () => {
  it("demangles nested names, constructors, destructors and std::", () => {
    expect(demangleNameNatively("_ZN3foo3barEv")).toBe("foo::bar");
    expect(demangleNameNatively("_ZN4demo6WidgetC2Ev")).toBe("demo::Widget::Widget");
    expect(demangleNameNatively("_ZN4demo6WidgetD1Ev")).toBe("demo::Widget::~Widget");
    expect(demangleNameNatively("_ZNSt8ios_base4InitC1Ev")).toBe("std::ios_base::Init::Init");
    expect(demangleNameNatively("_Z10make_arrayi")).toBe("make_array");
  });

  it("demangles Rust legacy symbols without their hash", () => {
    expect(demangleNameNatively("_ZN4core3fmt5write17h0123456789abcdefE")).toBe("core::fmt::write");
    expect(demangleNameNatively("_ZN5alloc7raw_vec19RawVec$LT$T$C$A$GT$11allocate_in17h0123456789abcdefE")).toBe("alloc::raw_vec::RawVec<T,A>::allocate_in");
  });

  it("gives up (undefined) on what it does not understand instead of guessing", () => {
    expect(demangleNameNatively("_ZNSt6vectorIiSaIiEE9push_backERKi")).toBeUndefined();
    expect(demangleNameNatively("leaf_alloc")).toBeUndefined();
    expect(demangleNameNatively("_ZN3fooE99")).toBe("foo");
    expect(demangleNameNatively("_ZN300x")).toBeUndefined();
  });
});

describe("demangleNames", () => {
  const cxxfilt = findTool("c++filt", process.env.PATH ?? "");
  const names = ["_ZN3foo3barEv", "_ZN4demo6WidgetC2Ev", "_ZN4core3fmt5write17h0123456789abcdefE", "malloc"];

  it.skipIf(cxxfilt === undefined)("uses one c++filt process and agrees with the native demangler on common names", async () => {
    const viaTool = await demangleNames(names, cxxfilt);
    const native = await demangleNames(names, undefined);
    for (const name of names) expect(shortenFunctionName(viaTool.get(name) as string)).toBe(shortenFunctionName(native.get(name) as string));
    expect(viaTool.get("_ZN3foo3barEv")).toBe("foo::bar()");
    expect(viaTool.get("malloc")).toBe("malloc");
  });

  it("handles names c++filt alone knows (templates)", async () => {
    const result = await demangleNames(["_ZNSt6vectorIiSaIiEE9push_backERKi"], cxxfilt);
    const expected = cxxfilt === undefined ? "_ZNSt6vectorIiSaIiEE9push_backERKi" : "std::vector<int, std::allocator<int> >::push_back(int const&)";
    expect(result.get("_ZNSt6vectorIiSaIiEE9push_backERKi")).toBe(expected);
  });

  it("falls back to the native demangler when c++filt cannot run", async () => {
    const result = await demangleNames(["_ZN3foo3barEv"], "/nonexistent/c++filt");
    expect(result.get("_ZN3foo3barEv")).toBe("foo::bar");
  });
});

describe("symbol name helpers", () => {
  it("recognises Itanium and Rust v0 manglings only", () => {
    expect(isMangledName("_ZN3foo3barEv")).toBe(true);
    expect(isMangledName("_RNvCs1234_4main3foo")).toBe(true);
    expect(isMangledName("_start")).toBe(false);
    expect(isMangledName("Zfoo")).toBe(false);
  });

  it("strips .dynsym version suffixes", () => {
    expect(stripSymbolVersion("std::__throw_ios_failure@@GLIBCXX_3.4.26")).toBe("std::__throw_ios_failure");
    expect(stripSymbolVersion("memcpy@GLIBC_2.2.5")).toBe("memcpy");
    expect(stripSymbolVersion("plain")).toBe("plain");
  });
});
