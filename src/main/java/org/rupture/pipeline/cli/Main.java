package org.rupture.pipeline.cli;

public final class Main {
  public static void main(String[] args) {
    System.out.println("rupture-pipeline");
  }
}
